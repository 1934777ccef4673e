"""Roles: who builds and runs software, and how each compares with the others."""

from marshmallow import fields

from .base import EntrySchema, embedded_field, list_args
from .fields import Slug, SlugList, name_field, text_field
from .sources import sources_field


def matrix_field(description: str, example: str) -> fields.String:
    """An optional attribute of the comparison matrix."""
    return text_field(
        allow_none=True,
        load_default=None,
        metadata={"description": description, "example": example},
    )


class RoleSchema(EntrySchema):
    """A role: who does what, what they produce, and how they measure success."""

    COLLECTION = "roles"
    RELATED = {
        "responsibilities": "responsibilities?role={slug}",
        "tools": "tools?role={slug}",
        "metrics": "metrics?role={slug}",
        "sub_disciplines": "sub-disciplines?role={slug}",
        "faqs": "faqs?role={slug}",
        "schedules": "schedules?role={slug}",
        "workflows": "workflows?role={slug}",
        "topics": "topics?role={slug}",
    }
    EXPAND = {
        "responsibilities": "ResponsibilitySchema",
        "tools": "ToolSchema",
        "metrics": "MetricSchema",
        "sub_disciplines": "SubDisciplineSchema",
        "faqs": "FaqSchema",
    }

    name = name_field(required=True, metadata={"example": "DevOps Engineer"})
    short_name = name_field(
        allow_none=True,
        load_default=None,
        metadata={"description": "Common abbreviation.", "example": "DevOps"},
    )
    summary = text_field(
        required=True, metadata={"description": "Who this role is, in a paragraph."}
    )
    focus = matrix_field("What the role optimises for.", "Stability and scalability")
    output = matrix_field("What the role produces.", "Pipelines, cloud infrastructure, dashboards")
    philosophy = matrix_field(
        "The question the role keeps asking.", "How can we deploy and monitor this reliably?"
    )
    pain_points = matrix_field(
        "What hurts most.", "Outages, slow deployment pipelines, cloud costs"
    )
    key_metric = matrix_field(
        "How success is measured.", "Mean Time to Recovery (MTTR), deployment frequency"
    )
    core_tooling = matrix_field(
        "The tools used every day.", "Docker, Kubernetes, AWS, Terraform, Ansible"
    )
    daily_activity = matrix_field(
        "What a typical day is made of.", "Writing IaC, fixing pipelines, setting up metrics"
    )
    scale_focus = matrix_field(
        "What 'scale' means to the role.", "Network requests, container orchestration, bandwidth"
    )
    automation = matrix_field(
        "What the role automates.", "CI/CD build scripts, server provisioning"
    )
    responsibilities = SlugList(dump_only=True, metadata={"description": "Responsibility slugs."})
    tools = SlugList(dump_only=True, metadata={"description": "Slugs of the tools this role uses."})
    metrics = SlugList(
        dump_only=True, metadata={"description": "Slugs of the metrics this role owns."}
    )
    sub_disciplines = SlugList(
        dump_only=True, metadata={"description": "Sub-disciplines practised."}
    )
    faqs = SlugList(
        dump_only=True, metadata={"description": "Slugs of FAQ entries about this role."}
    )
    sources = sources_field()
    embedded = embedded_field("Role", EXPAND)


RoleListArgs = list_args(
    RoleSchema,
    sort=("name",),
    tool=Slug(metadata={"description": "Only roles that use this tool (a tool slug)."}),
    metric=Slug(metadata={"description": "Only roles that own this metric (a metric slug)."}),
    responsibility=Slug(metadata={"description": "Only roles with this responsibility."}),
    sub_discipline=Slug(metadata={"description": "Only roles practising this sub-discipline."}),
    faq=Slug(metadata={"description": "Only roles an FAQ entry is about (an FAQ slug)."}),
)
