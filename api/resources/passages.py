"""/v1/passages: the passages that answer a question, with scores and citations."""

from flask import current_app
from marshmallow import RAISE

from schemas.passages import PassageArgs, PassageResultSchema

from ..extensions import db
from ..registry import BY_NAME, COLLECTIONS
from ..services.analysis import analyze, load_glossary
from ..services.retrieval import ScoredPassage, retrieve
from .openapi_docs import READ_HEADERS, Blueprint
from .representation import json_response

BY_LABEL = {c.label: c.name for c in COLLECTIONS}
EXAMPLE = "/v1/passages?q=what keeps devops engineers up at night&k=3"


def passage_body(found: ScoredPassage) -> dict:
    """One passage: text, score and citation, and the same citation flat in `metadata`."""
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
        "title": p.title,
        "text": p.text,
        "score": found.score,
        **{key: citation[key] for key in ("url", "type", "slug", "field", "version", "etag")},
        "sources": p.sources,
        "metadata": metadata,
    }


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
        glossary = load_glossary(f"{current_app.config['SEED_DIR']}/glossary.json")
        analysis = analyze(db.session, args["q"], glossary)
        collections = [BY_LABEL[t] for t in args.get("type", [])] or None
        found = retrieve(
            db.session, args["q"], args["k"], collections, args.get("role"), analysis=analysis
        )
        body = {
            "query": args["q"],
            "corrections": analysis.corrections,
            "passages": [passage_body(p) for p in found],
        }
        return json_response(body)

    return blp
