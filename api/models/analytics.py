"""What users asked and what they thought of the answers: the editors' feedback loop.

`QueryLog`: a row per question asked of /v1/search, /v1/answers or /v1/passages (served by
the app or from a stored representation; `count` askings with the same facts in one batch):
the question normalised and scrubbed of anything personal (api/services/query_text.py), what
was answered and how. No address, no key.
Rows older than the retention period are deleted.

`AnswerFeedback`: one vote per (answer, client) on an answer a response identified by its
`answer_id`. `answer_key` is the SHA-256 of that token, `client` a keyed hash of who voted (an
API key's id, or the address), never the address itself. A second vote by the same client on
the same answer replaces the first. Votes are counted for editors; they never change rankings.
"""

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schemas.constants import QUESTION_MAX_LENGTH

from .base import SLUG_LENGTH, Base, UTCDateTime, utcnow

PASSAGE_ID_LENGTH = 200  # "faqs/<slug>#<anchor>"
COMMENT_LENGTH = 500


class QueryLog(Base):
    __tablename__ = "query_log"
    __table_args__ = (Index("ix_query_log_status_asked_at", "status", "asked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    endpoint: Mapped[str] = mapped_column(String(16))  # "search", "answers" or "passages"
    question: Mapped[str] = mapped_column(String(QUESTION_MAX_LENGTH))
    # answered | ambiguous | no_match | out_of_domain (search and passages: answered when
    # something was found, no_match when nothing was)
    status: Mapped[str] = mapped_column(String(16))
    passage_id: Mapped[str | None] = mapped_column(String(PASSAGE_ID_LENGTH), nullable=True)
    entry_url: Mapped[str | None] = mapped_column(String(PASSAGE_ID_LENGTH), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    # How many times it was asked with these same facts within one batch (half a second of
    # one process; asked_at is the last): a hot question answered from memory thousands of
    # times a second costs a row per batch, not a row per request. Reports sum it.
    count: Mapped[int] = mapped_column(Integer, default=1)


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"
    __table_args__ = (
        UniqueConstraint("answer_key", "client"),
        Index("ix_answer_feedback_entry", "collection", "slug"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_key: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(QUESTION_MAX_LENGTH))
    passage_id: Mapped[str | None] = mapped_column(
        String(PASSAGE_ID_LENGTH), nullable=True, index=True
    )
    collection: Mapped[str | None] = mapped_column(String(40), nullable=True)
    slug: Mapped[str | None] = mapped_column(String(SLUG_LENGTH), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the answer's status when it was voted on: answered | ambiguous | no_match | out_of_domain
    status: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool] = mapped_column(Boolean)
    # incorrect | not_what_i_asked | incomplete | outdated | other
    reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    comment: Mapped[str | None] = mapped_column(String(COMMENT_LENGTH), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # indexed: the votes' generation reads its latest (api/feedback_generation.py)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
