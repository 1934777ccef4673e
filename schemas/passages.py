"""Passages for retrievers: /v1/passages."""

from marshmallow import Schema, fields, validate

from .answer_feedback import EXAMPLE_ANSWER_ID
from .base import StrictSchema
from .fields import CommaSeparated, Slug
from .search import TYPES, query_field

PASSAGE_QUERY_MAX_LENGTH = 2000
K_MAX = 50

EXAMPLE_ID = "roles/devops-engineer#pain_points"


class PassageArgs(StrictSchema):
    q = query_field(
        "The question or words as typed, 1 to 2,000 characters: stop words, typos and "
        "abbreviations are fine.",
        "what keeps devops engineers up at night",
        max_length=PASSAGE_QUERY_MAX_LENGTH,
    )
    k = fields.Integer(
        load_default=5,
        validate=validate.Range(1, K_MAX),
        metadata={"description": f"How many passages, 1 to {K_MAX}.", "example": 5},
    )
    type = CommaSeparated(
        TYPES,
        metadata={
            "description": f"Only passages of these types (comma-separated): {', '.join(TYPES)}.",
            "example": "role,faq",
        },
    )
    role = Slug(metadata={"description": "Only passages of entries about this role (a slug)."})


class PassageSourceSchema(Schema):
    resource = fields.String(metadata={"example": "developer-vs-devops-who-does-what"})
    title = fields.String(
        metadata={"example": "Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)"}
    )
    section = fields.String(allow_none=True, metadata={"example": "7. Technical Comparison Matrix"})
    fields_ = fields.List(fields.String(), data_key="fields")
    note = fields.String(allow_none=True)


class PassageMetadataSchema(Schema):
    """The passage's citation again, flat: LangChain's Document.metadata, LlamaIndex's
    TextNode.metadata."""

    id = fields.String(metadata={"example": EXAMPLE_ID})
    url = fields.String(metadata={"example": "/v1/roles/devops-engineer#pain_points"})
    title = fields.String(metadata={"example": "DevOps Engineer (DevOps): pain points"})
    type = fields.String(metadata={"example": "role"})
    slug = fields.String(metadata={"example": "devops-engineer"})
    field = fields.String(metadata={"example": "pain_points"})
    entry_title = fields.String(metadata={"example": "DevOps Engineer"})
    roles = fields.List(fields.String(), metadata={"example": ["devops-engineer"]})
    version = fields.Integer(metadata={"example": 1})
    etag = fields.String(metadata={"example": '"8c0f1e9c5b2a4d3e6f7a8b9c0d1e2f3a4b5c6d7e"'})
    score = fields.Float(metadata={"example": 0.71})
    sources = fields.List(fields.Nested(PassageSourceSchema))


class PassageSchema(Schema):
    id = fields.String(
        metadata={
            "description": "Stable id: `<collection>/<slug>#<anchor>`.",
            "example": EXAMPLE_ID,
        }
    )
    answer_id = fields.String(
        metadata={
            "description": "This passage as the answer to this question: send it to POST "
            "/v1/answers/feedback when the user says whether it helped. Opaque and signed "
            "(question, passage, version, status); the same for the same answer.",
            "example": EXAMPLE_ANSWER_ID,
        }
    )
    title = fields.String(metadata={"example": "DevOps Engineer (DevOps): pain points"})
    text = fields.String(
        metadata={
            "description": "The passage's text, to quote or to put in a prompt.",
            "example": "Outages, slow deployment pipelines and cloud costs.",
        }
    )
    score = fields.Float(
        metadata={"description": "Relevance, 0 to 1, higher is better (within one query)."}
    )
    url = fields.String(
        metadata={
            "description": "Citation: the entry's URL with a fragment naming the passage: a "
            "field (`#pain_points`), or a field and a position from 1 (`#stages-2`).",
            "example": "/v1/roles/devops-engineer#pain_points",
        }
    )
    type = fields.String(metadata={"example": "role"})
    slug = fields.String(metadata={"example": "devops-engineer"})
    field = fields.String(
        metadata={
            "description": "The entry's field the passage comes from (`stages` for `#stages-2`).",
            "example": "pain_points",
        }
    )
    version = fields.Integer(metadata={"description": "The entry's version.", "example": 1})
    etag = fields.String(
        metadata={
            "description": "The ETag a GET of the entry gives now (to pin or If-Match it).",
            "example": '"8c0f1e9c5b2a4d3e6f7a8b9c0d1e2f3a4b5c6d7e"',
        }
    )
    sources = fields.List(
        fields.Nested(PassageSourceSchema),
        metadata={
            "description": "Where the passage's facts come from (the entry's sources "
            "that back its field)."
        },
    )
    metadata = fields.Nested(PassageMetadataSchema)
    helpful = fields.Integer(
        metadata={"description": "Votes saying this passage helped (any question).", "example": 4}
    )
    not_helpful = fields.Integer(metadata={"description": "Votes saying it did not.", "example": 1})


class PassageResultSchema(Schema):
    query = fields.String()
    answer_id = fields.String(
        metadata={
            "description": "The first passage's `answer_id`; with no passage, the id of the "
            "question left unanswered (feedback on a miss is worth having too).",
            "example": EXAMPLE_ANSWER_ID,
        }
    )
    corrections = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Words that were not in the index and what was used instead."},
    )
    passages = fields.List(fields.Nested(PassageSchema))
