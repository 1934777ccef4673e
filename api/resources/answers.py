"""/v1/answers: the best passage for a chatbot's question, with a status and a confidence.

The decision is api/services/answers.py's; this module turns it into the response, keeping
every field /v1/answers has had (`answered`, `confidence`, `threshold`, `answer`,
`alternatives`, `related`, `suggestions`) and adding `status`, `passage` and `options`.
"""

from flask import current_app
from marshmallow import RAISE
from sqlalchemy import select

from schemas.answers import AnswerArgs, AnswerResultSchema

from .. import markdown
from ..extensions import db
from ..formats import representations
from ..registry import BY_NAME
from ..services import answer_ids, answers
from ..services.analysis import analyze, app_glossary
from ..services.query_log import note_answer
from ..services.retrieval import ScoredPassage
from ..urls import entry_url
from .answer_examples import EXAMPLES
from .openapi_docs import READ_HEADERS, Blueprint
from .passages import counts_headers, passage_body, with_counts
from .representation import json_response

SNIPPET_WORDS = 30
ALTERNATIVES = 4
SUGGESTIONS = 5


def entry_hit(found: ScoredPassage) -> dict:
    """A passage's entry as a search hit (the shape `alternatives` and `suggestions` had)."""
    p = found.passage
    words = p.text.split()
    snippet = " ".join(words[:SNIPPET_WORDS]) + ("…" if len(words) > SNIPPET_WORDS else "")
    return {
        "type": BY_NAME[p.collection].label,
        "slug": p.slug,
        "title": p.details.get("entry_title") or p.title,
        "snippet": snippet,
        "score": found.score,
        "url": entry_url(p.collection, p.slug),
    }


def tag_slugs(collection: str, slug: str) -> list[str]:
    """The entry's tags, in one query (the entry itself is not loaded: its passage has the
    rest), or [] for a collection without tags."""
    model = BY_NAME[collection].model
    relation = getattr(model, "tags", None)
    if relation is None:
        return []
    tag = relation.property.mapper.class_
    query = select(tag.slug).select_from(model).join(relation).where(model.slug == slug)
    return sorted(db.session.scalars(query))


def answer_body(found: ScoredPassage) -> dict:
    """`answer`: an FAQ's question and answer (its passage's title and text), or, for another
    entry, the passage's title and text; the entry's URL, version and ETag either way."""
    p = found.passage
    return {
        "slug": p.slug,
        "question": p.title,
        "answer": p.text,
        "url": entry_url(p.collection, p.slug),
        "version": p.version,
        "etag": p.etag,
        "roles": list(p.details.get("roles") or []),
        "tags": tag_slugs(p.collection, p.slug),
    }


def response_body(query: str, outcome: answers.Outcome) -> dict:
    entries = answers.distinct_entries(outcome.candidates)
    answered = outcome.status == "answered"
    best = outcome.best
    others = [e for e in entries if best is None or e.passage.slug != best.passage.slug]
    body = {
        "query": query,
        "status": outcome.status,
        "answer_id": None,
        "answered": answered,
        "confidence": outcome.confidence,
        "threshold": outcome.threshold,
        "answer": answer_body(best) if answered else None,
        "passage": passage_body(best, query) if answered else None,
        "options": [passage_body(o, query, "ambiguous") for o in outcome.options],
        "alternatives": [entry_hit(e) for e in others[:ALTERNATIVES]],
        "related": {"roles": [], "tools": []},
        "suggestions": [],
    }
    passage = body["passage"]
    with_counts(([passage] if passage else []) + body["options"])  # one query
    # The answer's id: its passage's; without one, the question's with its status.
    body["answer_id"] = passage["answer_id"] if passage else answer_ids.issue(query, outcome.status)
    tools = [e.passage.slug for e in entries if e.passage.collection == "tools"][:3]
    if answered:
        body["related"] = {"roles": body["answer"]["roles"], "tools": tools}
    elif outcome.status != "out_of_domain":
        body["suggestions"] = [entry_hit(e) for e in entries[:SUGGESTIONS]]
    return body


def register_answers(blp: Blueprint) -> None:
    """Adds GET /v1/answers to the search blueprint."""

    @blp.route("/v1/answers")
    @representations(markdown=markdown.answer)
    @blp.doc(
        operationId="answerQuestion",
        summary="Answer a question from all the content",
        description="For chatbots: send the user's question as typed (up to 2,000 "
        "characters; chat filler and typos are fine). Every entry is split into passages (an "
        "FAQ answer, a cell of a role's matrix, a tool with its roles, a metric with its "
        "owners, a workflow stage, a time slot, a topic paragraph); the best one answers. "
        "`status` says what to do: `answered` (quote `answer`/`passage`, cite `passage.url`, "
        'pin `version` and `etag`), `ambiguous` (offer the 2 to 4 `options`: "did you '
        'mean…"), `no_match` (in the domain, not covered yet: offer `suggestions`) or '
        "`out_of_domain` (not what this API knows). `confidence` estimates the probability "
        "that the best passage is right (calibrated on held-out questions); `answered` is "
        "true when it reaches `threshold`. For an entry other than an FAQ, `answer.question` "
        "is the passage's title and `answer.answer` its text. Example: "
        "`/v1/answers?q=do devops folks even write code??`.",
    )
    @blp.arguments(AnswerArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, AnswerResultSchema, headers=READ_HEADERS, examples=EXAMPLES)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def answer_view(args):
        glossary = app_glossary()
        analysis = analyze(db.session, args["q"], glossary)
        semantic = bool(current_app.config.get("SEMANTIC_SEARCH"))
        outcome = answers.answer(db.session, args["q"], analysis, semantic)
        note_answer(args["q"], outcome)
        headers = counts_headers()  # the votes' generation, before the counts are read
        return json_response(response_body(args["q"], outcome), headers=headers)
