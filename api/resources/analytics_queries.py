"""GET /v1/analytics/queries: what users asked, for the editors (api/services/query_analytics.py).

Editor keys only, never stored, JSON paged like every list (api/resources/editor_reports.py);
CSV and NDJSON export every row of the report at once (spreadsheets want the whole of it). The
view negotiates its own formats (`@negotiates_itself`, api/formats.py).
"""

import csv
import io
from collections.abc import Iterator

from flask import Response, request
from flask_smorest import abort

from schemas.analytics import EXAMPLE_ROW, QueryReportArgs, QueryReportRowSchema

from ..encoding import encode
from ..extensions import db
from ..formats import negotiates_itself
from ..services.entries import Page
from ..services.query_analytics import CSV_COLUMNS, csv_cells, json_row, paginate, report_rows
from .editor_reports import editor_report
from .openapi_docs import Blueprint
from .representation import json_response, pagination_headers

JSON, CSV, NDJSON = "application/json", "text/csv", "application/x-ndjson"
FORMATS = {"json": JSON, "csv": CSV, "ndjson": NDJSON}
EXPORTS = {
    CSV: {"schema": {"type": "string", "description": "Every row: " + ",".join(CSV_COLUMNS)}},
    NDJSON: {"schema": {"type": "string", "description": "Every row, one JSON object a line."}},
}


def chosen_format() -> str:
    asked = request.args.get("format")
    if asked is not None:
        if asked not in FORMATS:
            abort(422, errors={"format": [f"Must be one of: {', '.join(FORMATS)}."]})
        return FORMATS[asked]
    if not request.accept_mimetypes:
        return JSON
    best = request.accept_mimetypes.best_match([JSON, CSV, NDJSON])
    if best is None:
        abort(406, message="Served as application/json, text/csv or application/x-ndjson.")
    return best


def csv_lines(rows: list[dict]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_cells(row))
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def ndjson_lines(rows: list[dict]) -> Iterator[bytes]:
    for row in rows:
        yield encode(json_row(row)) + b"\n"


def export(rows: list[dict], media_type: str, report: str) -> Response:
    lines = csv_lines(rows) if media_type == CSV else ndjson_lines(rows)
    extension = "csv" if media_type == CSV else "ndjson"
    headers = {"Content-Disposition": f'attachment; filename="queries-{report}.{extension}"'}
    # direct_passthrough: written as made, without an ETag (api/http.py hashes none over it).
    return Response(lines, mimetype=media_type, headers=headers, direct_passthrough=True)


def analytics_queries_blueprint() -> Blueprint:
    blp = Blueprint("analytics_queries", __name__, description="What users asked, for editors.")

    @blp.route("/v1/analytics/queries")
    @negotiates_itself
    @blp.doc(
        operationId="queryAnalytics",
        summary="What users asked: top, unanswered, out of domain, ambiguous, unhelpful",
        description="Every question asked of /v1/search, /v1/answers and /v1/passages is "
        "recorded, scrubbed of e-mail addresses, phone numbers, long numbers and anything "
        "shaped like a key (docs/analytics.md). Rows group phrasings whose content words "
        "share stems; each has its `count`, up to 3 `phrasings`, the passage and entry "
        "returned most often, and when it was `last_asked`. `report` picks which questions; "
        "`since`/`until` the window. Needs an editor key. JSON pages like every list; "
        "`Accept: text/csv` (or `?format=csv`) and `application/x-ndjson` (`?format=ndjson`) "
        "export every row. Example: `/v1/analytics/queries?report=no_match&since=2026-12-01`.",
        responses={200: {"content": EXPORTS}},  # beside the JSON @blp.response documents
    )
    @editor_report(
        blp, "Analytics need", QueryReportArgs, QueryReportRowSchema(many=True), EXAMPLE_ROW
    )
    @blp.alt_response(406, response="NOT_ACCEPTABLE")
    def queries_view(args):
        media_type = chosen_format()
        rows = report_rows(db.session, args["report"], args.get("since"), args.get("until"))
        if media_type != JSON:
            return export(rows, media_type, args["report"])
        page, size = args["page"], args["page_size"]
        body = [json_row(row) for row in paginate(rows, page, size)]
        return json_response(body, headers=pagination_headers(Page(body, len(rows), page, size)))

    return blp
