"""/v1/search and /v1/search/suggest; /v1/answers is in answers.py, on the same blueprint."""

from flask import current_app
from marshmallow import RAISE

from schemas.search import (
    SearchArgs,
    SearchResultSchema,
    SuggestArgs,
    SuggestionsSchema,
)

from .. import markdown
from ..extensions import db
from ..formats import representations
from ..registry import BY_NAME, COLLECTIONS
from ..services.analysis import analyze, app_glossary
from ..services.entries import Page
from ..services.query_log import note_question
from ..services.search import Hit, suggest
from ..services.semantic import Ranker, semantic_search
from ..urls import entry_url
from .answers import register_answers
from .openapi_docs import LIST_HEADERS, READ_HEADERS, Blueprint
from .representation import pagination_headers

BY_LABEL = {c.label: c.name for c in COLLECTIONS}


def ranker(query: str, analysis) -> Ranker:
    """Words alone, or words and meaning when SEMANTIC_SEARCH is on."""
    return Ranker(db.session, query, analysis, semantic_search(current_app))


def hit_body(hit: Hit) -> dict:
    return {
        "type": BY_NAME[hit.collection].label,
        "slug": hit.slug,
        "title": hit.title,
        "snippet": hit.snippet,
        "score": hit.score,
        "url": entry_url(hit.collection, hit.slug),
    }


def search_blueprint() -> Blueprint:
    blp = Blueprint("search", __name__, description="Ranked search and answers.")

    @blp.route("/v1/search")
    @representations(markdown=markdown.search)
    @blp.doc(
        operationId="search",
        summary="Search every collection",
        description="Full-text search across all entries, ranked by relevance (titles count "
        "more than bodies). Send the words or the whole question as typed: stop words are "
        "ignored, abbreviations expanded (k8s, IaC, MTTR, SRE...), typos corrected, and no hit "
        "needs every word. Returns `total`, `facets` (matches per type) and `hits`, each with "
        "`type`, `slug`, `title`, a `snippet` with <mark>ed words, `score` and `url`. Restrict "
        "with `type` and `role`; paginate with `page`/`page_size`. Example: "
        "`/v1/search?q=kubernets&type=tool`.",
    )
    @blp.arguments(SearchArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, SearchResultSchema, headers=LIST_HEADERS)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def search_view(args):
        analysis = analyze(db.session, args["q"], app_glossary())
        collections = [BY_LABEL[t] for t in args.get("type", [])] or None
        size = args["page_size"]
        results = ranker(args["q"], analysis).search(
            collections, args.get("role"), size, (args["page"] - 1) * size
        )
        body = {
            "query": args["q"],
            "total": results.total,
            "facets": results.facets,
            "corrections": analysis.corrections,
            "hits": [hit_body(hit) for hit in results.hits],
        }
        page = Page(results.hits, results.total, args["page"], size)
        if args["page"] == 1:  # the next pages are the same question, read on
            top = body["hits"][0]["url"] if body["hits"] else None
            status = "answered" if top else "no_match"
            note_question("search", args["q"], status, url=top)
        return body, pagination_headers(page)  # written through SearchResultSchema

    @blp.route("/v1/search/suggest")
    @blp.doc(
        operationId="suggestSearch",
        summary="Suggestions as the user types",
        description="For a search box: entries whose title has a word starting with the last "
        "word typed, and indexed words that complete it. Example: `/v1/search/suggest?q=depl`.",
    )
    @blp.arguments(SuggestArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, SuggestionsSchema, headers=READ_HEADERS)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def suggest_view(args):
        entries, terms = suggest(db.session, args["q"], args["limit"])
        # SuggestedEntrySchema keeps a hit's type, slug, title and url
        return {"query": args["q"], "entries": [hit_body(e) for e in entries], "terms": terms}

    register_answers(blp)

    return blp
