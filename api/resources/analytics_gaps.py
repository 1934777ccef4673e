"""GET /v1/analytics/gaps: what users asked that the content did not answer, grouped by
meaning, each group with the nearest entry and the write that fixes it
(api/services/gap_report.py).

Editor keys only, never stored, paged like every list (api/resources/editor_reports.py;
`X-Total-Count` counts the groups).

Acting on a suggestion is not an endpoint of its own: each suggestion carries the exact
request of the API's normal write (`PATCH /v1/faqs/<slug>` with `If-Match`, or
`POST /v1/faqs`), which goes through api/services/writes.py like any edit (a revision, the
change feed, 412 when the FAQ changed since the report). An editor may edit the body before
sending (choose other phrasings, keep other examples, write the answer); a second endpoint
would have had to repeat every rule of those writes.
"""

from flask import current_app

from schemas.analytics_gaps import DEFAULT_GAP_STATUSES, GapArgs, GapSchema

from ..extensions import db
from ..registry import BY_NAME
from ..services.entries import Page
from ..services.gap_report import Gap, phrasings, report
from ..services.retrieval import ScoredPassage
from ..urls import entry_url
from .editor_reports import editor_report
from .gap_examples import EXAMPLE
from .openapi_docs import Blueprint
from .representation import pagination_headers


def nearest_body(found: ScoredPassage | None) -> dict | None:
    if found is None:
        return None
    p = found.passage
    return {
        "type": BY_NAME[p.collection].label,
        "slug": p.slug,
        "title": p.title,
        "url": p.url,
        "score": found.score,
        "cosine": None if found.cosine is None else round(found.cosine, 4),
    }


def gap_body(gap: Gap) -> dict:
    g = gap.group
    return {
        "size": g.size,
        "questions": len(g.askings),
        "statuses": dict(sorted(g.statuses.items())),
        "last_asked": g.last_asked,
        "representative": g.representative,
        "phrasings": phrasings(gap),
        "nearest": nearest_body(gap.nearest),
        "nearest_faq": None
        if gap.faq is None
        else {
            "slug": gap.faq.slug,
            "question": gap.faq.question,
            "url": entry_url("faqs", gap.faq.slug),
            "similarity": gap.faq.similarity,
        },
        "suggestion": gap.suggestion,
    }


def analytics_gaps_blueprint() -> Blueprint:
    blp = Blueprint("analytics_gaps", __name__, description="Content gaps, for editors.")

    @blp.route("/v1/analytics/gaps")
    @blp.doc(
        operationId="contentGaps",
        summary="Content gaps: unanswered questions grouped by meaning, with the fix",
        description="Questions that got no answer (`no_match`, `ambiguous`; `out_of_domain` "
        "when asked for) or an answer voted not helpful, grouped by meaning (words only "
        "without the semantic extra), largest group first. Each group has its `size`, up to "
        "5 `phrasings`, the `nearest` entry and FAQ, and a `suggestion`: `add_examples` (the "
        "nearest FAQ answers them: its `request` is the PATCH adding them as example "
        "questions, with `If-Match`) or `new_faq` (its `request` is the POST of a new FAQ, "
        "whose `answer` you write). Send the request with your editor key: it is a normal "
        "write (a revision, the change feed). Needs an editor key. Example: "
        "`/v1/analytics/gaps?since=2026-12-01T00:00:00Z&page_size=10`.",
    )
    @editor_report(blp, "The gap report needs", GapArgs, GapSchema(many=True), EXAMPLE)
    def gaps_view(args):
        page, size = args["page"], args["page_size"]
        total, gaps = report(
            db.session,
            args.get("since"),
            args.get("until"),
            args.get("status") or DEFAULT_GAP_STATUSES,
            bool(current_app.config.get("SEMANTIC_SEARCH")),
            limit=size,
            offset=(page - 1) * size,
        )
        body = [gap_body(gap) for gap in gaps]
        return body, pagination_headers(Page(body, total, page, size))  # through GapSchema

    return blp
