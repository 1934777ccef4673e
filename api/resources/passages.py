"""/v1/passages: the passages that answer a question, with scores and citations."""

from flask import g, request
from marshmallow import RAISE

from schemas.passages import PassageArgs, PassageResultSchema

from .. import feedback_generation
from ..cache import STILL_VALID
from ..extensions import db
from ..formats import JSON
from ..registry import BY_NAME, COLLECTIONS
from ..services import answer_ids, feedback
from ..services.analysis import analyze, app_glossary
from ..services.query_log import note_question
from ..services.retrieval import ScoredPassage, retrieve
from .openapi_docs import READ_HEADERS, Blueprint
from .representation import json_response

BY_LABEL = {c.label: c.name for c in COLLECTIONS}
EXAMPLE = "/v1/passages?q=what keeps devops engineers up at night&k=3"


def passage_body(found: ScoredPassage, question: str, status: str = "answered") -> dict:
    """One passage: text, score and citation, and the same citation flat in `metadata`;
    the answer id of `question` answered by it, for feedback (api/services/answer_ids.py)."""
    p = found.passage
    citation = {
        "id": p.id,
        "url": p.url,
        "title": p.title,
        "type": BY_NAME[p.collection].label,
        "slug": p.slug,
        "field": p.field,
        "version": p.version,
        "etag": p.etag,
    }
    metadata = {
        **citation,
        "entry_title": p.details.get("entry_title", ""),
        "roles": p.details.get("roles", []),
        "score": found.score,
        "sources": p.sources,
    }
    return {
        "id": p.id,
        "answer_id": answer_ids.issue(question, status, p.id, p.collection, p.slug, p.version),
        "title": p.title,
        "text": p.text,
        "score": found.score,
        **{key: citation[key] for key in ("url", "type", "slug", "field", "version", "etag")},
        "sources": p.sources,
        "metadata": metadata,
    }


def with_counts(bodies: list[dict]) -> list[dict]:
    """Each passage's votes (`helpful`, `not_helpful`), read in one query for them all."""
    counts = feedback.by_passage(db.session, [body["id"] for body in bodies])
    for body in bodies:
        body.update(counts.get(body["id"], feedback.Counts()).as_dict())
    return bodies


def counts_headers() -> dict[str, str] | None:
    """JSON with votes in it is stored (api/cache.py) only while no vote is cast: read the
    votes' generation before the counts, and leave the cache a check of it. A vote shows in
    the next answer, in every worker. When the generation cannot be read: not stored."""
    if g.get("representation", JSON) != JSON:
        return None  # Markdown shows no counts
    votes = feedback_generation.tracker()
    seen = votes.current()
    if seen is None:
        return {"Cache-Control": "no-store"}
    request.environ[STILL_VALID] = lambda: votes.current() == seen
    return None


def passages_blueprint() -> Blueprint:
    blp = Blueprint("passages", __name__, description="Citable passages for retrievers.")

    @blp.route("/v1/passages")
    @blp.doc(
        operationId="findPassages",
        summary="The passages that answer a question",
        description="For retrieval-augmented generation: every entry is split into passages "
        "(an FAQ answer, a cell of a role's comparison matrix, a tool with its roles, a metric "
        "with its owners, a workflow stage, a time slot of a day, a topic paragraph...). "
        "Returns the `k` best for `q`, ranked by words and, when semantic search is on, by "
        "meaning, best first. Each has `text` to quote, a `score`, and its citation: `url` "
        "(the entry's URL with a fragment naming the passage), `field`, the entry's `version` "
        "and `etag` (what a GET of the entry gives) and `sources`; `metadata` holds the same "
        "citation flat, as LangChain's `Document.metadata` or LlamaIndex's node metadata "
        "expect. For an LLM's search-result block: `source` = `url`, `title` = `title`, "
        "`content` = `text`. Restrict with `type` and `role`. "
        f"Example: `{EXAMPLE}`.",
    )
    @blp.arguments(PassageArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, PassageResultSchema, headers=READ_HEADERS)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def passages_view(args):
        glossary = app_glossary()
        analysis = analyze(db.session, args["q"], glossary)
        collections = [BY_LABEL[t] for t in args.get("type", [])] or None
        found = retrieve(
            db.session, args["q"], args["k"], collections, args.get("role"), analysis=analysis
        )
        headers = counts_headers()  # the votes' generation, before the counts are read
        body = {
            "query": args["q"],
            "corrections": analysis.corrections,
            "answer_id": None,
            "passages": with_counts([passage_body(p, args["q"]) for p in found]),
        }
        # The response's id is its first passage's (what a chatbot showing one passage
        # shows); with no passage, the id of the question left unanswered.
        first = body["passages"][0]["answer_id"] if found else None
        body["answer_id"] = first or answer_ids.issue(args["q"], "no_match")
        status = "answered" if found else "no_match"
        note_question("passages", args["q"], status, found[0] if found else None)
        return json_response(body, headers=headers)

    return blp
