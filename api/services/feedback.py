"""Votes on answers: one per (answer, client), replaced when the client votes again; counted
for editors and shown beside passages and FAQ entries. Votes never change rankings (anonymous
votes can be stuffed) nor the content's generation: answer_feedback is not content.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..models.analytics import AnswerFeedback
from ..models.base import utcnow
from .answer_ids import AnswerRef
from .query_text import scrub
from .transaction import write_transaction

REASONS = ("incorrect", "not_what_i_asked", "incomplete", "outdated", "other")


@dataclass(frozen=True)
class Counts:
    helpful: int = 0
    not_helpful: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"helpful": self.helpful, "not_helpful": self.not_helpful}


@dataclass(frozen=True)
class Vote:
    row: AnswerFeedback
    created: bool  # False: the client's earlier vote on this answer was replaced


def record(
    session: Session,
    ref: AnswerRef,
    key: str,
    client: str,
    helpful: bool,
    reason: str | None,
    comment: str | None,
) -> Vote:
    """The client's vote on the answer `key` names: a new row, or its earlier one replaced.

    Under the write lock (write_transaction), so two votes of one client cannot both insert.
    The comment is scrubbed of anything personal or secret-shaped before it is stored.
    """
    comment = (scrub(comment).strip() or None) if comment else None
    with write_transaction(session):
        row = session.scalars(
            select(AnswerFeedback).where(
                AnswerFeedback.answer_key == key, AnswerFeedback.client == client
            )
        ).one_or_none()
        created = row is None
        if created:
            row = AnswerFeedback(
                answer_key=key,
                client=client,
                question=ref.question,
                passage_id=ref.passage_id,
                collection=ref.collection,
                slug=ref.slug,
                version=ref.version,
                status=ref.status,
            )
            session.add(row)
        else:
            row.updated_at = utcnow()
        row.helpful, row.reason, row.comment = helpful, reason, comment
    return Vote(row, created)


def _sums():
    helpful = func.sum(case((AnswerFeedback.helpful, 1), else_=0))
    not_helpful = func.sum(case((AnswerFeedback.helpful, 0), else_=1))
    return helpful, not_helpful


def by_passage(session: Session, passage_ids: list[str]) -> dict[str, Counts]:
    """Votes on each of these passages (any question, any version), in one query."""
    ids = sorted(set(passage_ids))
    if not ids:
        return {}
    helpful, not_helpful = _sums()
    query = (
        select(AnswerFeedback.passage_id, helpful, not_helpful)
        .where(AnswerFeedback.passage_id.in_(ids))
        .group_by(AnswerFeedback.passage_id)
    )
    return {pid: Counts(int(h), int(n)) for pid, h, n in session.execute(query)}


def for_entry(session: Session, collection: str, slug: str) -> Counts:
    """Votes on every passage of one entry, in one query."""
    helpful, not_helpful = _sums()
    query = select(helpful, not_helpful).where(
        and_(AnswerFeedback.collection == collection, AnswerFeedback.slug == slug)
    )
    h, n = session.execute(query).one()
    return Counts(int(h or 0), int(n or 0))


def for_answer(session: Session, key: str) -> Counts:
    """Votes on one answer id (an answer without a passage: no_match, out_of_domain)."""
    helpful, not_helpful = _sums()
    h, n = session.execute(
        select(helpful, not_helpful).where(AnswerFeedback.answer_key == key)
    ).one()
    return Counts(int(h or 0), int(n or 0))


def by_reason(session: Session) -> list[tuple[bool, str, int]]:
    """(helpful, reason or "none", votes): what /metrics reports, read in one query."""
    reason = func.coalesce(AnswerFeedback.reason, "none")
    query = select(AnswerFeedback.helpful, reason, func.count()).group_by(
        AnswerFeedback.helpful, reason
    )
    return [(bool(h), r, int(n)) for h, r, n in session.execute(query)]
