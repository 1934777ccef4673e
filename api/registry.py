"""Every collection the API serves, declared once: names, model, schemas, examples.

The shared views (api/resources/collections.py), queries (api/services/entries.py) and the
seed loader all work from these declarations, so adding a collection is adding an entry here
(beside its model in api/models/ and its schemas in schemas/). A list's filters are its
query arguments (the schema's `list_args`), each turned into a query by api/filters.py;
only those that are more than a column or a link are written out here.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema
from sqlalchemy import ColumnElement, or_

from schemas import catalog, faqs, knowledge, roles, workflows
from schemas.base import EntrySchema, entry_type
from schemas.base import item_args as item_args_of

from .filters import Filter, filters_for, linked_to
from .jsonld import faq_page
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

__all__ = ["BY_MODEL", "BY_NAME", "COLLECTIONS", "SCHEMAS", "Collection", "Filter", "linked_to"]


def workflow_role(slug: str) -> ColumnElement[bool]:
    """Workflows a role owns or performs at least one stage of."""
    return or_(
        linked_to(Workflow.owner)(slug),
        Workflow.stages.any(linked_to(WorkflowStage.actor)(slug)),
    )


def schedule_tool(slug: str) -> ColumnElement[bool]:
    """Days with at least one activity that uses the tool."""
    return Schedule.entries.any(linked_to(ScheduleEntry.tools)(slug))


@dataclass(frozen=True, kw_only=True)
class Collection:
    """One collection of entries served under /v1/<name>."""

    name: str
    title: str
    description: str
    model: type
    schema: type[EntrySchema]
    list_args: type[Schema]
    # Filters api/filters.py cannot derive, by list argument.
    custom_filters: dict[str, Filter] = field(default_factory=dict)
    default_sort: tuple[str, ...] = ("slug",)
    # What its list and item views offer besides JSON and Markdown, by format name, with the
    # renderer of each (api/formats.py's @representations).
    representations: dict[str, Callable] = field(default_factory=dict)
    # A real slug and a real list query, for the spec's examples.
    example_slug: str = ""
    example_query: str = ""

    def __post_init__(self) -> None:
        # Derived now, so that an argument no filter stands for fails at import.
        self.filters  # noqa: B018

    @functools.cached_property
    def filters(self) -> dict[str, Filter]:
        """Every list argument that filters, with the condition it stands for."""
        return filters_for(self.model, self.list_args.FILTERS, self.custom_filters)

    @functools.cached_property
    def item_args(self) -> type[Schema]:
        """The query arguments of one entry: `fields` and `expand`, from the schema alone."""
        return item_args_of(self.schema)

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
        """Lowercase singular, as search names the type and messages the entry: sub-discipline."""
        return entry_type(self.schema)


# In dependency order: an entry may only refer to entries of collections above it. Resources
# come first: every other collection cites them in its `sources`.
COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        name="resources",
        title="Resources",
        description="The sources every other entry cites: the two articles, the resources "
        "they recommend, and the editors (`editorial`) for what is written from general "
        "knowledge.",
        model=Resource,
        schema=knowledge.ResourceSchema,
        list_args=knowledge.ResourceListArgs,
        example_slug="the-devops-roadmap",
        example_query="kind=recommended",
    ),
    Collection(
        name="tags",
        title="Tags",
        description="Concepts that group FAQ entries.",
        model=Tag,
        schema=faqs.TagSchema,
        list_args=faqs.TagListArgs,
        example_slug="sre",
        example_query="page_size=50",
    ),
    Collection(
        name="roles",
        title="Roles",
        description="Developers, DevOps engineers, SREs, platform engineers and full-cycle "
        "developers, with the comparison matrix: output, philosophy, pain points, key metric, "
        "core tooling, daily activity, scale focus, automation.",
        model=Role,
        schema=roles.RoleSchema,
        list_args=roles.RoleListArgs,
        example_slug="devops-engineer",
        example_query="tool=terraform",
    ),
    Collection(
        name="responsibilities",
        title="Responsibilities",
        description="The work each role owns.",
        model=Responsibility,
        schema=catalog.ResponsibilitySchema,
        list_args=catalog.ResponsibilityListArgs,
        example_slug="code-review",
        example_query="role=developer",
    ),
    Collection(
        name="tools",
        title="Tools",
        description="Languages, frameworks and platforms, by category and role.",
        model=Tool,
        schema=catalog.ToolSchema,
        list_args=catalog.ToolListArgs,
        example_slug="terraform",
        example_query="category=iac&role=devops-engineer",
    ),
    Collection(
        name="metrics",
        title="Metrics",
        description="What each role measures, and who owns each metric.",
        model=Metric,
        schema=catalog.MetricSchema,
        list_args=catalog.MetricListArgs,
        example_slug="mttr",
        example_query="role=devops-engineer",
    ),
    Collection(
        name="sub-disciplines",
        title="Sub-disciplines",
        description="DevOps, Site Reliability Engineering and Platform Engineering, and the "
        "question each asks.",
        model=SubDiscipline,
        schema=catalog.SubDisciplineSchema,
        list_args=catalog.SubDisciplineListArgs,
        example_slug="site-reliability-engineering",
        example_query="role=site-reliability-engineer",
    ),
    Collection(
        name="faqs",
        title="FAQ",
        description="Questions and answers about the roles and concepts.",
        model=Faq,
        schema=faqs.FaqSchema,
        list_args=faqs.FaqListArgs,
        # Questions with their answers: schema.org's FAQPage, for crawlers.
        representations={"jsonld": faq_page},
        example_slug="devops-vs-sre",
        example_query="tag=sre&fields=slug,question",
    ),
    Collection(
        name="practices",
        title="Practices",
        description="The five CALMS pillars of DevOps.",
        model=Practice,
        schema=knowledge.PracticeSchema,
        list_args=knowledge.PracticeListArgs,
        default_sort=("framework", "position"),
        example_slug="calms-automation",
        example_query="framework=CALMS",
    ),
    Collection(
        name="workflows",
        title="Workflows",
        description="The inner loop, the outer loop and the delivery pipeline, stage by stage.",
        model=Workflow,
        schema=workflows.WorkflowSchema,
        list_args=workflows.WorkflowListArgs,
        custom_filters={"role": workflow_role},
        example_slug="inner-loop",
        example_query="kind=loop",
    ),
    Collection(
        name="schedules",
        title="Schedules",
        description="A day in the life of each role, hour by hour.",
        model=Schedule,
        schema=workflows.ScheduleSchema,
        list_args=workflows.ScheduleListArgs,
        custom_filters={"tool": schedule_tool},
        example_slug="devops-engineer-day",
        example_query="role=devops-engineer",
    ),
    Collection(
        name="topics",
        title="Topics",
        description="History, comparisons, case studies and guidance from the source articles.",
        model=Topic,
        schema=knowledge.TopicSchema,
        list_args=knowledge.TopicListArgs,
        example_slug="historical-silos",
        example_query="kind=history",
    ),
)

BY_NAME: dict[str, Collection] = {c.name: c for c in COLLECTIONS}
# Schemas hold no per-call state: one instance per collection serves every dump and load.
SCHEMAS: dict[str, EntrySchema] = {c.name: c.schema() for c in COLLECTIONS}
BY_MODEL: dict[type, Collection] = {c.model: c for c in COLLECTIONS}
