"""Practices (CALMS), topics (history, case studies, guidance) and resources."""

from marshmallow import fields, validate

from .base import EntrySchema, embedded_field, list_args
from .catalog import owner_roles, role_filter
from .fields import Slug, SlugList, name_field, text, text_field
from .sources import sources_field

TOPIC_KINDS = ("history", "comparison", "case-study", "guidance", "culture", "example")
RESOURCE_KINDS = ("source", "recommended", "editorial")


class PracticeSchema(EntrySchema):
    """A pillar of a practice framework such as CALMS."""

    COLLECTION = "practices"
    EXPAND = {"metrics": "MetricSchema"}

    name = name_field(required=True, metadata={"example": "Automation"})
    framework = text(40, required=True, metadata={"example": "CALMS"})
    position = fields.Integer(
        required=True,
        validate=validate.Range(1, 100),
        metadata={"description": "Place within the framework, from 1.", "example": 2},
    )
    summary = text_field(required=True)
    metrics = SlugList(
        load_default=list,
        metadata={
            "description": "Slugs of the metrics the pillar names (Measurement).",
            "example": ["deployment-frequency"],
        },
    )
    sources = sources_field()
    embedded = embedded_field("Practice", EXPAND)


class TopicSchema(EntrySchema):
    """A piece of background: history, a case study, a comparison, guidance."""

    COLLECTION = "topics"
    EXPAND = {"roles": "RoleSchema", "tags": "TagSchema"}

    title = name_field(required=True, metadata={"example": "The wall between Dev and Ops"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(TOPIC_KINDS),
        metadata={"description": f"One of: {', '.join(TOPIC_KINDS)}.", "example": "history"},
    )
    summary = text_field(required=True)
    body = text_field(required=True)
    roles = owner_roles("Slugs of the roles the topic is about.")
    tags = SlugList(
        load_default=list, metadata={"description": "Tag slugs.", "example": ["history"]}
    )
    sources = sources_field()
    embedded = embedded_field("Topic", EXPAND)


class ResourceSchema(EntrySchema):
    """A source article, a recommended resource, or the editors: what entries cite.

    Resources are the sources other entries' `sources` name; they carry none themselves.
    """

    COLLECTION = "resources"

    title = name_field(required=True, metadata={"example": "Docker Documentation"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(RESOURCE_KINDS),
        metadata={
            "description": "`source` (an article the content is drawn from), `recommended` "
            "(further reading) or `editorial` (the editors, for what they wrote from general "
            "knowledge).",
            "example": "recommended",
        },
    )
    summary = text_field(required=True)
    url = fields.Url(allow_none=True, load_default=None, validate=validate.Length(max=500))
    author = name_field(allow_none=True, load_default=None)
    publisher = name_field(allow_none=True, load_default=None)
    published_on = fields.Date(
        allow_none=True, load_default=None, metadata={"example": "2026-06-12"}
    )


PracticeListArgs = list_args(
    PracticeSchema,
    sort=("name", "position"),
    framework=text(40, metadata={"description": "Only this framework's pillars."}),
    metric=Slug(metadata={"description": "Only pillars that name this metric (a metric slug)."}),
)
TopicListArgs = list_args(
    TopicSchema,
    sort=("title", "kind"),
    kind=fields.String(
        validate=validate.OneOf(TOPIC_KINDS), metadata={"description": "Only topics of this kind."}
    ),
    role=role_filter("topics"),
    tag=Slug(metadata={"description": "Only topics with this tag (a tag slug)."}),
)
ResourceListArgs = list_args(
    ResourceSchema,
    sort=("title", "kind"),
    kind=fields.String(
        validate=validate.OneOf(RESOURCE_KINDS),
        metadata={"description": "Only resources of this kind."},
    ),
)
