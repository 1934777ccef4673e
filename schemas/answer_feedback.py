"""Feedback on answers (POST /v1/answers/feedback) and helpfulness counts."""

from marshmallow import Schema, fields, validate

from .base import StrictSchema
from .fields import text

# The reasons five vendors converged on (Zendesk, Algolia, Amazon Q, Pinecone, Freshdesk).
REASONS = ("incorrect", "not_what_i_asked", "incomplete", "outdated", "other")
COMMENT_MAX_LENGTH = 500
# A question of 2,000 characters makes an id of about 2,800: room to spare, and a bound.
ANSWER_ID_MAX_LENGTH = 8000
EXAMPLE_ANSWER_ID = "eJyLNlQqyUhVKEvMKU1VSEksSQQAMGcFrA.Xk8s2vN1pQnS0c2w4yJQe3v0ZfGg"


def answer_id_field(description: str) -> fields.String:
    return fields.String(metadata={"description": description, "example": EXAMPLE_ANSWER_ID})


class CountsSchema(Schema):
    helpful = fields.Integer(metadata={"description": "Votes saying it helped.", "example": 12})
    not_helpful = fields.Integer(metadata={"description": "Votes saying it did not.", "example": 3})


class FeedbackInputSchema(StrictSchema):
    answer_id = text(
        ANSWER_ID_MAX_LENGTH,
        required=True,
        metadata={
            "description": "The `answer_id` of the /v1/answers response (or of the "
            "/v1/passages passage) the user saw, as it was given.",
            "example": EXAMPLE_ANSWER_ID,
        },
    )
    helpful = fields.Boolean(
        required=True,
        truthy={True},
        falsy={False},
        metadata={"description": "`true` or `false` (JSON booleans only).", "example": False},
    )
    reason = fields.String(
        allow_none=True,
        validate=validate.OneOf(REASONS),
        metadata={
            "description": "Why not (optional, mostly with `helpful: false`): "
            + ", ".join(f"`{r}`" for r in REASONS)
            + ".",
            "example": "outdated",
        },
    )
    comment = text(
        COMMENT_MAX_LENGTH,
        allow_none=True,
        metadata={
            "description": "A short comment, up to 500 characters. E-mail addresses, phone "
            "numbers, long digit runs and anything shaped like a key are replaced by "
            "placeholders before it is stored.",
            "example": "The on-call part changed last year.",
        },
    )


class FeedbackResultSchema(Schema):
    answer_id = fields.String()
    helpful = fields.Boolean()
    reason = fields.String(allow_none=True)
    comment = fields.String(
        allow_none=True, metadata={"description": "The comment as stored (scrubbed)."}
    )
    replaced = fields.Boolean(
        metadata={"description": "True when this client's earlier vote on the answer was replaced."}
    )
    question = fields.String(metadata={"description": "The question, as stored (normalised)."})
    status = fields.String(metadata={"description": "The answer's status when it was given."})
    passage_id = fields.String(allow_none=True, metadata={"description": "The passage voted on."})
    version = fields.Integer(
        allow_none=True, metadata={"description": "The entry's version that was shown."}
    )
    counts = fields.Nested(
        CountsSchema,
        metadata={
            "description": "Votes now on the passage (every question, every version), or, for "
            "an answer without a passage, on this answer id."
        },
    )


class EntryFeedbackSchema(Schema):
    type = fields.String(metadata={"example": "faq"})
    slug = fields.String(metadata={"example": "do-devops-engineers-write-code"})
    url = fields.String(metadata={"example": "/v1/faqs/do-devops-engineers-write-code"})
    helpful = fields.Integer(metadata={"description": "Votes saying it helped.", "example": 12})
    not_helpful = fields.Integer(metadata={"description": "Votes saying it did not.", "example": 3})
