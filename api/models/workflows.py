"""Workflows: the inner loop, the outer loop and the delivery pipeline, each as ordered stages."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry, link_table
from .sources import sources_of

workflow_stage_tools = link_table(
    "workflow_stage_tools", stage_id="workflow_stages.id", tool_id="tools.id"
)


class Workflow(Entry, Base):
    __tablename__ = "workflows"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="SET NULL"))

    owner = relationship("Role")
    stages = relationship(
        "WorkflowStage",
        order_by="WorkflowStage.position",
        cascade="all, delete-orphan",
        collection_class=list,
    )
    sources = sources_of("Workflow", "workflows")


class WorkflowStage(Base):
    """One step of a workflow; it exists only inside its workflow."""

    __tablename__ = "workflow_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="SET NULL"))

    actor = relationship("Role")
    tools = relationship("Tool", secondary=workflow_stage_tools, order_by="Tool.slug")
