"""GET /v1/analytics/queries: what users asked, for editors (api/services/query_analytics.py)."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .base import ListArgsSchema

REPORTS = ("top", "no_match", "out_of_domain", "ambiguous", "unhelpful")
EXAMPLE_ROW = {
    "question": "how long are we down on average",
    "count": 12,
    "phrasings": [
        "how long are we down on average",
        "on average how long are we down?",
        "how long are we down, on average",
    ],
    "passage_id": "faqs/what-is-mttr#answer",
    "entry_url": "/v1/faqs/what-is-mttr",
    "last_asked": "2026-12-06T17:42:09Z",
}


class Instant(fields.Field):
    """An ISO 8601 date or date and time; without an offset, UTC."""

    default_error_messages = {
        "invalid": "Not an ISO 8601 date or date-time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)."
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.make_error("invalid") from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class QueryReportArgs(ListArgsSchema):
    report = fields.String(
        load_default="top",
        validate=validate.OneOf(REPORTS),
        metadata={
            "description": "`top`: every question; `no_match`: asked, in the domain, not "
            "answered (content to write); `out_of_domain`; `ambiguous`: answered with options; "
            "`unhelpful`: questions whose answers got `helpful: false` votes.",
            "example": "no_match",
        },
    )
    since = Instant(
        metadata={
            "description": "Only questions asked at or after this instant: ISO 8601, a date "
            "(`2026-12-01`) or a date and time; UTC without an offset.",
            "example": "2026-12-01T00:00:00Z",
            "type": "string",
            "format": "date-time",
        }
    )
    until = Instant(
        metadata={
            "description": "Only questions asked before this instant.",
            "example": "2026-12-08T00:00:00Z",
            "type": "string",
            "format": "date-time",
        }
    )

    # Read by the view itself (api/formats.py's parser hides `format` from every schema):
    # declared here for the spec.
    format = fields.String(
        validate=validate.OneOf(("json", "csv", "ndjson")),
        metadata={
            "description": "`json` (one page), `csv` or `ndjson` (every row, for spreadsheets "
            "and scripts), for links that cannot send `Accept`.",
            "example": "csv",
        },
    )

    @validates_schema
    def check_window(self, data, **kwargs):
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and since > until:
            raise ValidationError("`since` must not be after `until`.", "since")


class QueryReportRowSchema(Schema):
    question = fields.String(
        metadata={"description": "The phrasing asked most often, as stored (scrubbed, normalised)."}
    )
    count = fields.Integer(metadata={"description": "Times asked, all phrasings together."})
    phrasings = fields.List(
        fields.String(),
        metadata={
            "description": "Up to 3 phrasings of the group, most asked first: questions group "
            'when their content words share stems ("how long are we down on average" and '
            '"on average, how long are we down?").'
        },
    )
    passage_id = fields.String(
        allow_none=True,
        metadata={"description": "The passage returned most often (null: none was)."},
    )
    entry_url = fields.String(
        allow_none=True, metadata={"description": "The entry returned most often."}
    )
    last_asked = fields.DateTime(metadata={"description": "When it was last asked (UTC)."})
