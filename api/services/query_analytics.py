"""Reports on the query log for editors: top questions, unanswered, out of domain, ambiguous,
rated unhelpful (GET /v1/analytics/queries, api/resources/analytics_queries.py).

A row is a group of phrasings: questions (already scrubbed and normalised when recorded)
whose content words share their stems (passage_index.STEM letters, stop words and chat filler
left out) are one question, so "how long are we down on average" and "on average, how long
are we down?" count together. The database groups by exact text; phrasings are grouped here,
over the distinct questions of the window (a month of them fits in memory).
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from ..models.analytics import AnswerFeedback, QueryLog
from .passage_index import STEM
from .words import FILLER, STOP_WORDS

WORD = re.compile(r"\w+")
PHRASINGS = 3
STATUS_REPORTS = ("no_match", "out_of_domain", "ambiguous")


@dataclass
class QuestionGroup:
    """One row of a report."""

    phrasings: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)  # (passage_id, entry_url) -> count
    count: int = 0
    last_asked: datetime | None = None

    def add(self, question: str, passage_id, url, count: int, last: datetime) -> None:
        self.count += count
        self.phrasings[question] += count
        if passage_id or url:
            self.answered[passage_id, url] += count
        if self.last_asked is None or last > self.last_asked:
            self.last_asked = last

    def row(self) -> dict:
        # Most asked first; ties: the shorter, then alphabetical (the same order every time).
        ranked = sorted(self.phrasings.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
        phrasings = [text for text, _ in ranked[:PHRASINGS]]
        passage_id = url = None
        if self.answered:
            (passage_id, url), _ = min(
                self.answered.items(), key=lambda item: (-item[1], str(item[0]))
            )
        return {
            "question": phrasings[0],
            "count": self.count,
            "phrasings": phrasings,
            "passage_id": passage_id,
            "entry_url": url,
            "last_asked": self.last_asked,
        }


def group_key(question: str) -> str:
    """What near-identical phrasings share: the sorted stems of their content words."""
    words = [w for w in WORD.findall(question) if w not in STOP_WORDS and w not in FILLER]
    stems = sorted({w[:STEM] for w in words})
    return " ".join(stems) or question


def _filters(report: str, since: datetime | None, until: datetime | None) -> list:
    filters = []
    if since is not None:
        filters.append(QueryLog.asked_at >= since)
    if until is not None:
        filters.append(QueryLog.asked_at < until)
    if report in STATUS_REPORTS:
        filters.append(QueryLog.status == report)
    elif report == "unhelpful":
        # A helpful=false vote on the same question, about the same passage (or either side
        # without one: a vote on a no_match answer has none).
        vote = AnswerFeedback
        filters.append(
            exists().where(
                vote.helpful.is_(False),
                vote.question == QueryLog.question,
                or_(
                    vote.passage_id.is_(None),
                    QueryLog.passage_id.is_(None),
                    vote.passage_id == QueryLog.passage_id,
                ),
            )
        )
    return filters


def report_rows(
    session: Session, report: str, since: datetime | None = None, until: datetime | None = None
) -> list[dict]:
    """Every row of `report` in the window, largest first (then most recent)."""
    query = (
        select(
            QueryLog.question,
            QueryLog.passage_id,
            QueryLog.entry_url,
            func.sum(QueryLog.count),  # a row stands for `count` askings (query_log.py)
            func.max(QueryLog.asked_at),
        )
        .where(*_filters(report, since, until))
        .group_by(QueryLog.question, QueryLog.passage_id, QueryLog.entry_url)
    )
    groups: dict[str, QuestionGroup] = {}
    for question, passage_id, url, count, last in session.execute(query):
        key = group_key(question)
        group = groups.get(key) or groups.setdefault(key, QuestionGroup())
        group.add(question, passage_id, url, count, last)
    rows = [group.row() for group in groups.values()]
    rows.sort(key=lambda r: r["question"])
    rows.sort(key=lambda r: (r["count"], r["last_asked"]), reverse=True)
    return rows


CSV_COLUMNS = ("question", "count", "phrasings", "passage_id", "entry_url", "last_asked")
# A cell a spreadsheet would run as a formula (CWE-1236): questions are anyone's input.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(row: dict) -> list[str]:
    cells = [
        row["question"],
        str(row["count"]),
        " | ".join(row["phrasings"]),
        row["passage_id"] or "",
        row["entry_url"] or "",
        iso(row["last_asked"]),
    ]
    return ["'" + cell if cell.startswith(FORMULA_START) else cell for cell in cells]


def iso(instant: datetime | None) -> str:
    return instant.isoformat().replace("+00:00", "Z") if instant else ""


def json_row(row: dict) -> dict:
    return {**row, "last_asked": iso(row["last_asked"])}


def paginate(rows: list[dict], page: int, size: int) -> Iterator[dict]:
    yield from rows[(page - 1) * size : page * size]
