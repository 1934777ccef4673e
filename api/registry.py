"""Every collection the API serves, declared once: model, schemas, filters, default order.

The shared views (api/resources/collections.py), queries (api/services/entries.py) and the
seed loader all work from these declarations, so adding a collection is adding an entry here.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema
from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from schemas import catalog, faqs, knowledge, roles, workflows
from schemas.base import EntrySchema

from .models import (
    Faq,
    Metric,
    Practice,
    Resource,
    Responsibility,
    Role,
    Schedule,
    ScheduleEntry,
    SubDiscipline,
    Tag,
    Tool,
    Topic,
    Workflow,
    WorkflowStage,
)

Filter = Callable[[str], ColumnElement[bool]]


def equals(column: InstrumentedAttribute) -> Filter:
    """Filter on a column's exact value."""
    return lambda value: column == value


def linked_to(relation: InstrumentedAttribute) -> Filter:
    """Filter on a relationship to another entry, by that entry's slug."""
    target = relation.property.mapper.class_
    if relation.property.uselist:
        return lambda slug: relation.any(target.slug == slug)
    return lambda slug: relation.has(target.slug == slug)


def cites(model: type) -> Filter:
    """Filter on the resources an entry cites in its `sources`, by resource slug."""
    source = model.sources.property.mapper.class_
    return lambda slug: model.sources.any(linked_to(source.resource)(slug))


def workflow_role(slug: str) -> ColumnElement[bool]:
    """Workflows a role owns or performs at least one stage of."""
    return or_(
        linked_to(Workflow.owner)(slug),
        Workflow.stages.any(linked_to(WorkflowStage.actor)(slug)),
    )


def schedule_tool(slug: str) -> ColumnElement[bool]:
    """Days with at least one activity that uses the tool."""
    return Schedule.entries.any(linked_to(ScheduleEntry.tools)(slug))


@dataclass(frozen=True)
class Collection:
    """One collection of entries served under /v1/<name>."""

    name: str
    title: str
    description: str
    model: type
    schema: type[EntrySchema]
    list_args: type[Schema]
    item_args: type[Schema]
    filters: dict[str, Filter] = field(default_factory=dict)
    default_sort: tuple[str, ...] = ("slug",)
    # A real slug and a real list query, for the spec's examples.
    example_slug: str = ""
    example_query: str = ""

    def __post_init__(self) -> None:
        # Every collection whose entries cite sources can be filtered by them.
        if hasattr(self.model, "sources"):
            object.__setattr__(self, "filters", {**self.filters, "source": cites(self.model)})

    @property
    def singular(self) -> str:
        """CamelCase singular, e.g. SubDiscipline."""
        return self.schema.__name__.removesuffix("Schema")

    @property
    def schema_instance(self) -> EntrySchema:
        return SCHEMAS[self.name]

    @property
    def writable_fields(self) -> list[str]:
        """The fields a client sends: everything the schema loads."""
        return [name for name, f in self.schema_instance.fields.items() if not f.dump_only]

    @property
    def label(self) -> str:
        """Lowercase singular for messages, e.g. sub-discipline."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", self.singular).lower()


# In dependency order: an entry may only refer to entries of collections above it. Resources
# come first: every other collection cites them in its `sources`.
COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "resources",
        "Resources",
        "The sources every other entry cites: the two articles, the resources they recommend, "
        "and the editors (`editorial`) for what is written from general knowledge.",
        Resource,
        knowledge.ResourceSchema,
        knowledge.ResourceListArgs,
        knowledge.ResourceItemArgs,
        filters={"kind": equals(Resource.kind)},
        example_slug="the-devops-roadmap",
        example_query="kind=recommended",
    ),
    Collection(
        "tags",
        "Tags",
        "Concepts that group FAQ entries.",
        Tag,
        faqs.TagSchema,
        faqs.TagListArgs,
        faqs.TagItemArgs,
        example_slug="sre",
        example_query="page_size=50",
    ),
    Collection(
        "roles",
        "Roles",
        "Developers, DevOps engineers, SREs, platform engineers and full-cycle developers, "
        "with the comparison matrix: output, philosophy, pain points, key metric, core tooling, "
        "daily activity, scale focus, automation.",
        Role,
        roles.RoleSchema,
        roles.RoleListArgs,
        roles.RoleItemArgs,
        filters={
            "tool": linked_to(Role.tools),
            "metric": linked_to(Role.metrics),
            "responsibility": linked_to(Role.responsibilities),
            "sub_discipline": linked_to(Role.sub_disciplines),
            "faq": linked_to(Role.faqs),
        },
        example_slug="devops-engineer",
        example_query="tool=terraform",
    ),
    Collection(
        "responsibilities",
        "Responsibilities",
        "The work each role owns.",
        Responsibility,
        catalog.ResponsibilitySchema,
        catalog.ResponsibilityListArgs,
        catalog.ResponsibilityItemArgs,
        filters={"role": linked_to(Responsibility.roles)},
        example_slug="code-review",
        example_query="role=developer",
    ),
    Collection(
        "tools",
        "Tools",
        "Languages, frameworks and platforms, by category and role.",
        Tool,
        catalog.ToolSchema,
        catalog.ToolListArgs,
        catalog.ToolItemArgs,
        filters={"role": linked_to(Tool.roles), "category": equals(Tool.category)},
        example_slug="terraform",
        example_query="category=iac&role=devops-engineer",
    ),
    Collection(
        "metrics",
        "Metrics",
        "What each role measures, and who owns each metric.",
        Metric,
        catalog.MetricSchema,
        catalog.MetricListArgs,
        catalog.MetricItemArgs,
        filters={"role": linked_to(Metric.roles)},
        example_slug="mttr",
        example_query="role=devops-engineer",
    ),
    Collection(
        "sub-disciplines",
        "Sub-disciplines",
        "DevOps, Site Reliability Engineering and Platform Engineering, and the question each "
        "asks.",
        SubDiscipline,
        catalog.SubDisciplineSchema,
        catalog.SubDisciplineListArgs,
        catalog.SubDisciplineItemArgs,
        filters={"role": linked_to(SubDiscipline.roles)},
        example_slug="site-reliability-engineering",
        example_query="role=site-reliability-engineer",
    ),
    Collection(
        "faqs",
        "FAQ",
        "Questions and answers about the roles and concepts.",
        Faq,
        faqs.FaqSchema,
        faqs.FaqListArgs,
        faqs.FaqItemArgs,
        filters={"role": linked_to(Faq.roles), "tag": linked_to(Faq.tags)},
        example_slug="devops-vs-sre",
        example_query="tag=sre&fields=slug,question",
    ),
    Collection(
        "practices",
        "Practices",
        "The five CALMS pillars of DevOps.",
        Practice,
        knowledge.PracticeSchema,
        knowledge.PracticeListArgs,
        knowledge.PracticeItemArgs,
        filters={"framework": equals(Practice.framework), "metric": linked_to(Practice.metrics)},
        default_sort=("framework", "position"),
        example_slug="calms-automation",
        example_query="framework=CALMS",
    ),
    Collection(
        "workflows",
        "Workflows",
        "The inner loop, the outer loop and the delivery pipeline, stage by stage.",
        Workflow,
        workflows.WorkflowSchema,
        workflows.WorkflowListArgs,
        workflows.WorkflowItemArgs,
        filters={"kind": equals(Workflow.kind), "role": workflow_role},
        example_slug="inner-loop",
        example_query="kind=loop",
    ),
    Collection(
        "schedules",
        "Schedules",
        "A day in the life of each role, hour by hour.",
        Schedule,
        workflows.ScheduleSchema,
        workflows.ScheduleListArgs,
        workflows.ScheduleItemArgs,
        filters={"role": linked_to(Schedule.role), "tool": schedule_tool},
        example_slug="devops-engineer-day",
        example_query="role=devops-engineer",
    ),
    Collection(
        "topics",
        "Topics",
        "History, comparisons, case studies and guidance from the source articles.",
        Topic,
        knowledge.TopicSchema,
        knowledge.TopicListArgs,
        knowledge.TopicItemArgs,
        filters={
            "kind": equals(Topic.kind),
            "role": linked_to(Topic.roles),
            "tag": linked_to(Topic.tags),
        },
        example_slug="historical-silos",
        example_query="kind=history",
    ),
)

BY_NAME: dict[str, Collection] = {c.name: c for c in COLLECTIONS}
# Schemas hold no per-call state: one instance per collection serves every dump and load.
SCHEMAS: dict[str, EntrySchema] = {c.name: c.schema() for c in COLLECTIONS}
BY_MODEL: dict[type, Collection] = {c.model: c for c in COLLECTIONS}
