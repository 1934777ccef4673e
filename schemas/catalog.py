"""Responsibilities, tools, metrics and sub-disciplines."""

from marshmallow import fields, validate

from .base import EntrySchema, embedded_field, list_args
from .fields import Slug, SlugList, name_field, text, text_field
from .sources import sources_field

TOOL_CATEGORIES = (
    "language",
    "bundler",
    "test-runner",
    "framework",
    "orm",
    "database",
    "security",
    "version-control",
    "container",
    "registry",
    "orchestration",
    "cloud",
    "iac",
    "configuration",
    "ci-cd",
    "monitoring",
    "chat",
)

ROLES_EXPAND = {"roles": "RoleSchema"}


def owner_roles(description: str) -> SlugList:
    """The writable list of role slugs an entry is linked to."""
    return SlugList(
        load_default=list, metadata={"description": description, "example": ["developer"]}
    )


def role_filter(what: str) -> Slug:
    return Slug(metadata={"description": f"Only {what} of this role (a role slug)."})


class ResponsibilitySchema(EntrySchema):
    """A responsibility: a piece of work a role owns."""

    COLLECTION = "responsibilities"
    RELATED = {"roles": "roles?responsibility={slug}"}
    EXPAND = ROLES_EXPAND

    name = name_field(required=True, metadata={"example": "Continuous Integration"})
    summary = text_field(required=True)
    roles = owner_roles("Slugs of the roles that carry this responsibility.")
    sources = sources_field()
    embedded = embedded_field("Responsibility", EXPAND)


class ToolSchema(EntrySchema):
    """A tool, language or platform, with its category and the roles that use it."""

    COLLECTION = "tools"
    RELATED = {"roles": "roles?tool={slug}", "schedules": "schedules?tool={slug}"}
    EXPAND = ROLES_EXPAND

    name = name_field(required=True, metadata={"example": "Terraform"})
    category = fields.String(
        required=True,
        validate=validate.OneOf(TOOL_CATEGORIES),
        metadata={"description": "What kind of tool it is.", "example": "iac"},
    )
    summary = text_field(required=True)
    roles = owner_roles("Slugs of the roles that use this tool.")
    sources = sources_field()
    embedded = embedded_field("Tool", EXPAND)


class MetricSchema(EntrySchema):
    """A metric and the roles that own it."""

    COLLECTION = "metrics"
    RELATED = {"roles": "roles?metric={slug}", "practices": "practices?metric={slug}"}
    EXPAND = ROLES_EXPAND

    name = name_field(required=True, metadata={"example": "Mean Time to Recovery"})
    abbreviation = text(20, allow_none=True, load_default=None, metadata={"example": "MTTR"})
    summary = text_field(required=True)
    roles = owner_roles("Slugs of the roles that own this metric.")
    sources = sources_field()
    embedded = embedded_field("Metric", EXPAND)


class SubDisciplineSchema(EntrySchema):
    """A branch of DevOps (DevOps itself, SRE, Platform Engineering) and the question it asks."""

    COLLECTION = "sub-disciplines"
    RELATED = {"roles": "roles?sub_discipline={slug}"}
    EXPAND = ROLES_EXPAND

    name = name_field(required=True, metadata={"example": "Site Reliability Engineering"})
    short_name = name_field(allow_none=True, load_default=None, metadata={"example": "SRE"})
    summary = text_field(required=True)
    focus = text_field(required=True, metadata={"description": "What it concentrates on."})
    question = text_field(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The question it asks, in the source's own words; null when the "
            "sources give none.",
            "example": "How do we make it failproof?",
        },
    )
    roles = owner_roles("Slugs of the roles that practise it.")
    sources = sources_field()
    embedded = embedded_field("SubDiscipline", EXPAND)


ResponsibilityListArgs = list_args(
    ResponsibilitySchema, sort=("name",), role=role_filter("responsibilities")
)
ToolListArgs = list_args(
    ToolSchema,
    sort=("name", "category"),
    role=role_filter("tools"),
    category=fields.String(
        validate=validate.OneOf(TOOL_CATEGORIES),
        metadata={"description": f"Only tools of this category: {', '.join(TOOL_CATEGORIES)}."},
    ),
)
MetricListArgs = list_args(MetricSchema, sort=("name",), role=role_filter("metrics"))
SubDisciplineListArgs = list_args(
    SubDisciplineSchema, sort=("name",), role=role_filter("sub-disciplines")
)
