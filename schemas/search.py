"""Search and suggestions (the answers' schemas are in schemas/answers.py)."""

from marshmallow import Schema, fields, validate

from . import catalog, faqs, knowledge, roles, workflows
from .base import ListArgsSchema, StrictSchema, entry_type
from .fields import CommaSeparated, Slug, text

# The type of each collection's entries, as search hits and `type` name them.
TYPES = tuple(
    entry_type(schema)
    for schema in (
        faqs.TagSchema,
        roles.RoleSchema,
        catalog.ResponsibilitySchema,
        catalog.ToolSchema,
        catalog.MetricSchema,
        catalog.SubDisciplineSchema,
        faqs.FaqSchema,
        knowledge.PracticeSchema,
        workflows.WorkflowSchema,
        workflows.ScheduleSchema,
        knowledge.TopicSchema,
        knowledge.ResourceSchema,
    )
)
QUERY_MAX_LENGTH = 256


def query_field(description: str, example: str, max_length: int = QUERY_MAX_LENGTH):
    return text(
        max_length, required=True, metadata={"description": description, "example": example}
    )


class SearchArgs(ListArgsSchema):
    q = query_field(
        "Words or a question as typed: stop words, typos and abbreviations are fine.",
        "do devops folks even write code",
    )
    type = CommaSeparated(
        TYPES,
        metadata={
            "description": f"Only these types (comma-separated): {', '.join(TYPES)}.",
            "example": "faq",
        },
    )
    role = Slug(metadata={"description": "Only entries about this role (a role slug)."})


class HitSchema(Schema):
    type = fields.String(metadata={"example": "faq"})
    slug = fields.String(metadata={"example": "do-devops-engineers-write-code"})
    title = fields.String(metadata={"example": "Do DevOps engineers write code?"})
    snippet = fields.String(
        metadata={"description": "Matching text, matched words in <mark>…</mark>."}
    )
    score = fields.Float(metadata={"description": "Relevance; higher is better."})
    url = fields.String(metadata={"example": "/v1/faqs/do-devops-engineers-write-code"})


class SearchResultSchema(Schema):
    query = fields.String()
    total = fields.Integer(metadata={"description": "Matches of the requested types."})
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Matches per type, whatever `type` asked for."},
    )
    corrections = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Words that were not in the index and what was used instead."},
    )
    hits = fields.List(fields.Nested(HitSchema))


class SuggestArgs(StrictSchema):
    q = query_field("What the user has typed so far.", "depl", max_length=64)
    limit = fields.Integer(
        load_default=8, validate=validate.Range(1, 20), metadata={"description": "1 to 20."}
    )


class SuggestedEntrySchema(Schema):
    type = fields.String(metadata={"example": "metric"})
    slug = fields.String(metadata={"example": "deployment-frequency"})
    title = fields.String(metadata={"example": "Deployment frequency"})
    url = fields.String(metadata={"example": "/v1/metrics/deployment-frequency"})


class SuggestionsSchema(Schema):
    query = fields.String()
    entries = fields.List(
        fields.Nested(SuggestedEntrySchema),
        metadata={"description": "Entries whose title has a word starting like the last word."},
    )
    terms = fields.List(fields.String(), metadata={"description": "Words to complete with."})
