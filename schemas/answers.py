"""/v1/answers: the question, and the answer with its status, confidence and citation."""

from marshmallow import Schema, fields, validate

from .answer_feedback import EXAMPLE_ANSWER_ID
from .base import StrictSchema
from .constants import QUESTION_MAX_LENGTH
from .passages import PassageSchema
from .search import HitSchema, query_field

# A chatbot passes on what its user typed: /v1/answers reads only the first content words
# (api/services/words.py MAX_WORDS) and the model its first 256 tokens.
STATUSES = ("answered", "ambiguous", "no_match", "out_of_domain")


class AnswerArgs(StrictSchema):
    q = query_field(
        "The user's question, as typed: 1 to 2,000 characters.",
        "do devops folks even write code??",
        max_length=QUESTION_MAX_LENGTH,
    )


class AnswerSchema(Schema):
    slug = fields.String(metadata={"description": "The answering entry's slug."})
    question = fields.String(
        metadata={"description": "An FAQ's question; for another entry, the passage's title."}
    )
    answer = fields.String(
        metadata={"description": "An FAQ's answer; for another entry, the passage's text."}
    )
    url = fields.String(metadata={"description": "Cite this: the entry's URL."})
    version = fields.Integer(metadata={"description": "Pin this: the entry's version."})
    etag = fields.String(metadata={"description": "The entry's ETag at this version."})
    roles = fields.List(fields.String(), metadata={"description": "Slugs of its roles."})
    tags = fields.List(fields.String(), metadata={"description": "Slugs of its tags."})


class AnswerResultSchema(Schema):
    query = fields.String()
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "`answered`: `answer` and `passage` answer the question. "
            "`ambiguous`: several entries answer it equally well; offer `options` "
            '("did you mean…"). `no_match`: about what this API covers, but nothing answers '
            "it (a content gap). `out_of_domain`: not about what this API knows."
        },
    )
    answer_id = fields.String(
        metadata={
            "description": "What was asked and answered, signed: send it to POST "
            "/v1/answers/feedback when the user says whether the answer helped. The "
            "passage's `answer_id` when answered; else the question's with its status.",
            "example": EXAMPLE_ANSWER_ID,
        }
    )
    answered = fields.Boolean(metadata={"description": "True exactly when status is answered."})
    confidence = fields.Float(
        metadata={
            "description": "0 to 1: the estimated probability that the best passage answers "
            "the question (calibrated on held-out questions)."
        }
    )
    threshold = fields.Float(metadata={"description": "The confidence needed to answer."})
    answer = fields.Nested(
        AnswerSchema,
        allow_none=True,
        metadata={"description": "The answering entry; null unless status is answered."},
    )
    passage = fields.Nested(
        PassageSchema,
        allow_none=True,
        metadata={
            "description": "The answering passage, to quote and cite: `url` with a fragment "
            "naming the passage, the entry's `version` and `etag`, and `sources`. Null unless "
            "status is answered."
        },
    )
    options = fields.List(
        fields.Nested(PassageSchema),
        metadata={"description": "With status ambiguous: 2 to 4 passages to offer; else empty."},
    )
    alternatives = fields.List(
        fields.Nested(HitSchema),
        metadata={"description": "Other entries that came close, best first."},
    )
    related = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Slugs of related roles and tools."},
    )
    suggestions = fields.List(
        fields.Nested(HitSchema),
        metadata={"description": "When not answered and in the domain: entries to look at."},
    )
