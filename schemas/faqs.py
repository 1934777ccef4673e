"""FAQ entries and tags."""

from .base import EntrySchema, embedded_field, item_args, list_args
from .catalog import owner_roles, role_filter
from .fields import Slug, SlugList, name_field, text_field
from .sources import sources_field


class TagSchema(EntrySchema):
    """A tag grouping FAQ entries by concept."""

    COLLECTION = "tags"
    RELATED = {"faqs": "faqs?tag={slug}", "topics": "topics?tag={slug}"}
    EXPAND = {"faqs": "FaqSchema"}

    name = name_field(required=True, metadata={"example": "CALMS"})
    summary = text_field(required=True)
    faqs = SlugList(dump_only=True, metadata={"description": "Slugs of the FAQ entries tagged."})
    sources = sources_field()
    embedded = embedded_field("Tag", EXPAND)


class FaqSchema(EntrySchema):
    """A question and its answer, linked to roles and tagged by concept."""

    COLLECTION = "faqs"
    RELATED = {"roles": "roles?faq={slug}"}
    EXPAND = {"roles": "RoleSchema", "tags": "TagSchema"}

    question = text_field(required=True, metadata={"example": "Do DevOps engineers write code?"})
    answer = text_field(required=True)
    roles = owner_roles("Slugs of the roles the question is about.")
    tags = SlugList(load_default=list, metadata={"description": "Tag slugs.", "example": ["iac"]})
    sources = sources_field()
    embedded = embedded_field("Faq", EXPAND)


TagListArgs = list_args(TagSchema, sort=("name",))
TagItemArgs = item_args(TagSchema)
FaqListArgs = list_args(
    FaqSchema,
    sort=("question",),
    role=role_filter("FAQ entries"),
    tag=Slug(metadata={"description": "Only FAQ entries with this tag (a tag slug)."}),
)
FaqItemArgs = item_args(FaqSchema)
