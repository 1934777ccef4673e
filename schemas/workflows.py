"""Workflows (the inner loop, the outer loop, the delivery pipeline) and day schedules."""

from marshmallow import fields, validate

from .base import EntrySchema, StrictSchema, embedded_field, list_args
from .catalog import role_filter
from .fields import Slug, SlugList, SlugRef, name_field, text_field
from .sources import sources_field

WORKFLOW_KINDS = ("loop", "pipeline")
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class WorkflowStageSchema(StrictSchema):
    """One step of a workflow, in order."""

    name = name_field(required=True, metadata={"example": "Continuous Integration (CI)"})
    summary = text_field(required=True)
    actor = SlugRef(
        allow_none=True,
        load_default=None,
        metadata={"description": "Slug of the role that performs the step."},
    )
    tools = SlugList(load_default=list, metadata={"description": "Slugs of the tools used."})


class WorkflowSchema(EntrySchema):
    """A workflow: an ordered list of stages, owned by a role."""

    COLLECTION = "workflows"
    EXPAND = {"owner": "RoleSchema"}

    name = name_field(required=True, metadata={"example": "The Outer Loop"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(WORKFLOW_KINDS),
        metadata={"description": "`loop` or `pipeline`.", "example": "loop"},
    )
    summary = text_field(required=True)
    owner = SlugRef(
        allow_none=True,
        load_default=None,
        metadata={"description": "Slug of the role that owns the workflow."},
    )
    stages = fields.List(fields.Nested(WorkflowStageSchema), required=True)
    sources = sources_field()
    embedded = embedded_field("Workflow", EXPAND)


class ScheduleEntrySchema(StrictSchema):
    """One timed activity in a day."""

    time = fields.String(
        required=True,
        validate=validate.Regexp(TIME_PATTERN, error="Must be a 24-hour time such as 14:00."),
        metadata={"description": "Local time, 24-hour HH:MM.", "example": "09:30"},
    )
    activity = text_field(required=True, metadata={"example": "Standup meeting."})
    tools = SlugList(load_default=list, metadata={"description": "Slugs of the tools used."})
    responsibilities = SlugList(
        load_default=list,
        metadata={"description": "Slugs of the responsibilities the activity is part of."},
    )
    metrics = SlugList(
        load_default=list, metadata={"description": "Slugs of the metrics it concerns."}
    )


class ScheduleSchema(EntrySchema):
    """A day in the life of a role: timed activities in order."""

    COLLECTION = "schedules"
    EXPAND = {"role": "RoleSchema"}

    name = name_field(required=True, metadata={"example": "A day in the life of a developer"})
    summary = text_field(required=True)
    role = SlugRef(required=True, metadata={"description": "Slug of the role."})
    entries = fields.List(fields.Nested(ScheduleEntrySchema), required=True)
    sources = sources_field()
    embedded = embedded_field("Schedule", EXPAND)


WorkflowListArgs = list_args(
    WorkflowSchema,
    sort=("name", "kind"),
    kind=fields.String(
        validate=validate.OneOf(WORKFLOW_KINDS),
        metadata={"description": "Only workflows of this kind: loop or pipeline."},
    ),
    role=Slug(
        metadata={
            "description": "Only workflows this role owns or performs a stage of (a role slug)."
        }
    ),
)
ScheduleListArgs = list_args(
    ScheduleSchema,
    sort=("name",),
    role=role_filter("schedules"),
    tool=Slug(metadata={"description": "Only days with an activity that uses this tool."}),
)
