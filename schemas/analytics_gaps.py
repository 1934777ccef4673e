"""/v1/analytics/gaps: unanswered and unhelpfully answered questions, grouped by meaning."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .base import ListArgsSchema
from .fields import CommaSeparated

# Where a gap question comes from: its status in the query log, or a "not helpful" vote.
GAP_STATUSES = ("no_match", "ambiguous", "out_of_domain", "unhelpful")
DEFAULT_GAP_STATUSES = ("no_match", "ambiguous", "unhelpful")
ACTIONS = ("add_examples", "new_faq")


def moment(description: str) -> fields.AwareDateTime:
    return fields.AwareDateTime(
        format="iso",
        default_timezone=UTC,
        metadata={"description": description, "example": "2026-12-01T00:00:00Z"},
    )


class GapArgs(ListArgsSchema):
    since = moment("Only questions asked (or votes cast) at or after this time (ISO 8601; UTC "
                   "when no offset is given). Default: everything kept (the query log keeps "
                   "QUERY_LOG_RETENTION_DAYS).")  # fmt: skip
    until = moment("Only questions asked before this time (ISO 8601).")
    status = CommaSeparated(
        GAP_STATUSES,
        metadata={
            "description": "Which questions count, comma-separated: `no_match` (nothing "
            "covers it), `ambiguous` (the asker got options, not an answer), `out_of_domain` "
            "(not what this API knows: mostly other subjects) and `unhelpful` (answered, "
            f"voted not helpful). Default: {','.join(DEFAULT_GAP_STATUSES)}.",
            "example": "no_match,unhelpful",
        },
    )

    @validates_schema
    def window(self, data, **kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            raise ValidationError("Must be later than `since`.", "until")


class PhrasingSchema(Schema):
    question = fields.String(metadata={"description": "As stored: normalised, scrubbed."})
    count = fields.Integer(metadata={"description": "How many times it was asked (or voted)."})


class NearestSchema(Schema):
    type = fields.String(metadata={"example": "faq"})
    slug = fields.String(metadata={"example": "what-is-a-rolling-deploy"})
    title = fields.String()
    url = fields.String(metadata={"description": "The passage: the entry's URL and fragment."})
    score = fields.Float(metadata={"description": "The answers' ranking score for the question."})
    cosine = fields.Float(
        allow_none=True,
        metadata={"description": "Closeness in meaning to the question; null words only."},
    )


class NearestFaqSchema(Schema):
    slug = fields.String(metadata={"example": "what-is-deployment-frequency"})
    question = fields.String()
    url = fields.String()
    similarity = fields.Float(
        metadata={
            "description": "0 to 1: how close the group's questions are to the FAQ's question "
            "and examples (mean of each question's best cosine; words only, shared stems)."
        }
    )


class GapRequestSchema(Schema):
    method = fields.String(validate=validate.OneOf(("PATCH", "POST")))
    url = fields.String()
    headers = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Send these (and your `Authorization: Bearer` editor key)."},
    )
    body = fields.Dict(metadata={"description": "The JSON body, to send as is."})


class SuggestionSchema(Schema):
    action = fields.String(
        validate=validate.OneOf(ACTIONS),
        metadata={
            "description": "`add_examples`: the nearest FAQ answers these questions; add them "
            "as its example questions. `new_faq`: nothing close; write an FAQ."
        },
    )
    why = fields.String()
    faq = fields.String(allow_none=True, metadata={"description": "The FAQ to change."})
    request = fields.Nested(
        GapRequestSchema,
        allow_none=True,
        metadata={
            "description": "The write that acts on the suggestion, through the API's normal "
            "writes (If-Match, a new revision, the change feed): send it with an editor key. "
            "A `new_faq` body has `answer: null`, refused until you write it (`fill_in`). "
            "Null when nothing can be sent (an FAQ needs 3 to 6 examples)."
        },
    )
    fill_in = fields.List(
        fields.String(), metadata={"description": "Body fields the editor must write first."}
    )
    dropped = fields.List(
        fields.String(),
        metadata={
            "description": "The FAQ's examples the request removes, to stay within 6 (the "
            "group's phrasings take up to 3 places; edit `body` to keep others)."
        },
    )
    left_out = fields.List(
        fields.String(), metadata={"description": "Phrasings of the group the request leaves out."}
    )


class GapSchema(Schema):
    size = fields.Integer(metadata={"description": "Askings (and unhelpful votes) in the group."})
    questions = fields.Integer(metadata={"description": "Distinct questions in the group."})
    statuses = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Askings by status (`unhelpful`: votes)."},
    )
    last_asked = fields.DateTime(allow_none=True)
    representative = fields.String(
        metadata={"description": "The question nearest the group's centre."}
    )
    phrasings = fields.List(
        fields.Nested(PhrasingSchema),
        metadata={"description": "Up to 5 distinct questions of the group, most asked first."},
    )
    nearest = fields.Nested(
        NearestSchema,
        allow_none=True,
        metadata={"description": "What answers rank first for the representative question."},
    )
    nearest_faq = fields.Nested(
        NearestFaqSchema,
        allow_none=True,
        metadata={"description": "The FAQ nearest the group's questions; null without FAQs."},
    )
    suggestion = fields.Nested(SuggestionSchema)
