"""SQLAlchemy models, one module per aggregate; importing this registers every table."""

from .analytics import AnswerFeedback, QueryLog
from .base import Base, Entry
from .catalog import Metric, Responsibility, SubDiscipline, Tool
from .faqs import Faq, Tag
from .history import ApiKey, IdempotentRequest, Revision
from .knowledge import Practice, Resource, Topic
from .passages import Passage
from .renames import SlugRename
from .roles import Role
from .schedules import Schedule, ScheduleEntry
from .search import SearchDocument, SearchTerm
from .sources import Source
from .workflows import Workflow, WorkflowStage

__all__ = [
    "AnswerFeedback",
    "ApiKey",
    "Base",
    "Entry",
    "Faq",
    "IdempotentRequest",
    "Metric",
    "Passage",
    "Practice",
    "QueryLog",
    "Resource",
    "Responsibility",
    "Revision",
    "Role",
    "Schedule",
    "ScheduleEntry",
    "SearchDocument",
    "SearchTerm",
    "SlugRename",
    "Source",
    "SubDiscipline",
    "Tag",
    "Tool",
    "Topic",
    "Workflow",
    "WorkflowStage",
]
