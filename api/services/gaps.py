"""Content gaps: what users asked that the content did not answer, grouped by meaning.

    group(collect(session, since, until, statuses), semantic) -> list[Group]

api/services/gap_report.py adds each group's nearest entry and a suggestion.

What counts as a gap (one "asking" per row):
- a question in the query log (api/services/query_log.py) whose status is `no_match` (in the
  domain, nothing covers it) or `ambiguous` (several entries answer it about equally well, so
  the asker got "did you mean…" rather than an answer; an FAQ with the asker's words settles
  it); `out_of_domain` only when asked for (mostly questions about other things);
- a vote `helpful: false` on an answer (api/models/analytics.py AnswerFeedback): it was
  answered, but not well; `unhelpful` in `statuses`.
A question answered when it was last asked, after its last gap, is fixed: left out (a
question with unhelpful votes stays until the votes leave the window).

Grouping. With meaning on, each distinct question is embedded by the project's encoder
(the vectors of questions asked lately are cached there) and grouped by average linkage:
the two closest groups merge while the mean cosine between their questions is at least
MEANING_THRESHOLD (MiniLM puts paraphrases at 0.3 to 0.7; a group's mean is lower than its
closest pair). Words only (SEMANTIC_SEARCH=0, or no numpy), a greedy pass (most asked
first) compares content stems (stop words and filler dropped, first five letters): a
question joins the group whose first question it shares most with, when their Dice
coefficient is at least WORDS_THRESHOLD. Thresholds were chosen on the questions of
bench/gaps_tune.json (bench/gaps_threshold.py: 12 themes of 5; the highest sum of purity
and completeness, ties to purity: by meaning at 0.3, 88% of questions in a group of their
own theme and 58% in their theme's main group; by words at 0.3, 97% and 28%), never on the
test's. A topic split in two groups is two suggestions; a mixed group is a wrong one.

The MAX_QUESTIONS most asked distinct questions are grouped. Embedding is the cost: 1,000
questions never embedded take about 30 s on one core; their vectors are then kept
(api/services/question_vectors.py), so the next report costs nothing for them. Grouping
1,000 takes about 0.4 s.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.analytics_gaps import DEFAULT_GAP_STATUSES

from ..models.analytics import AnswerFeedback, QueryLog
from .analysis import WORD
from .passage_index import STEM
from .words import FILLER, STOP_WORDS

LOG_STATUSES = ("no_match", "ambiguous", "out_of_domain")
DEFAULT_STATUSES = DEFAULT_GAP_STATUSES
MAX_QUESTIONS = 1000
MEANING_THRESHOLD = 0.3  # mean cosine between two groups' questions
WORDS_THRESHOLD = 0.3  # Dice coefficient of content stems


@dataclass
class Asking:
    """One distinct question (as stored: normalised, scrubbed) and how it was a gap."""

    question: str
    statuses: Counter = field(default_factory=Counter)  # status or "unhelpful" -> askings
    unhelpful_entries: Counter = field(default_factory=Counter)  # (collection, slug) voted down
    last_asked: datetime | None = None

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Group:
    askings: list[Asking]
    representative: str  # the question nearest the group's centre (the most asked, words only)

    @property
    def size(self) -> int:
        return sum(a.count for a in self.askings)

    @property
    def statuses(self) -> Counter:
        return sum((a.statuses for a in self.askings), Counter())

    @property
    def unhelpful_entries(self) -> Counter:
        return sum((a.unhelpful_entries for a in self.askings), Counter())

    @property
    def last_asked(self) -> datetime | None:
        return max((a.last_asked for a in self.askings if a.last_asked), default=None)

    def phrasings(self, limit: int | None = None) -> list[Asking]:
        """Its distinct questions, most asked first (then the representative, then A to Z)."""
        ordered = sorted(
            self.askings,
            key=lambda a: (-a.count, a.question != self.representative, a.question),
        )
        return ordered[:limit] if limit else ordered


def _window(column, since: datetime | None, until: datetime | None) -> list:
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def collect(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: Sequence[str] = DEFAULT_STATUSES,
) -> list[Asking]:
    """The distinct gap questions of the window, the MAX_QUESTIONS most asked."""
    found: dict[str, Asking] = {}

    def asking(question: str) -> Asking:
        return found.setdefault(question, Asking(question))

    logged = [s for s in statuses if s in LOG_STATUSES]
    if logged:
        # a row stands for `count` askings with the same facts (one batch of one process)
        count = func.sum(QueryLog.count).label("n")
        query = (
            select(QueryLog.question, QueryLog.status, count, func.max(QueryLog.asked_at))
            .where(QueryLog.status.in_(logged), *_window(QueryLog.asked_at, since, until))
            .group_by(QueryLog.question, QueryLog.status)
            .order_by(count.desc(), QueryLog.question)
            .limit(MAX_QUESTIONS * len(logged))
        )
        for question, status, n, last in session.execute(query):
            a = asking(question)
            a.statuses[status] += n
            a.last_asked = max(filter(None, (a.last_asked, last)), default=None)
    if "unhelpful" in statuses:
        vote = AnswerFeedback
        count = func.count().label("n")
        query = (
            select(vote.question, vote.collection, vote.slug, count, func.max(vote.created_at))
            .where(vote.helpful.is_(False), *_window(vote.created_at, since, until))
            .group_by(vote.question, vote.collection, vote.slug)
            .order_by(count.desc(), vote.question)
            .limit(MAX_QUESTIONS)
        )
        for question, collection, slug, n, last in session.execute(query):
            a = asking(question)
            a.statuses["unhelpful"] += n
            if collection and slug:
                a.unhelpful_entries[(collection, slug)] += n
            a.last_asked = max(filter(None, (a.last_asked, last)), default=None)
    answered = answered_since(session, [a for a in found.values() if not a.statuses["unhelpful"]])
    ordered = sorted(
        (a for q, a in found.items() if q not in answered), key=lambda a: (-a.count, a.question)
    )
    return ordered[:MAX_QUESTIONS]


def answered_since(session: Session, askings: Sequence[Asking]) -> set[str]:
    """The questions answered when last asked, after their last gap: fixed since (an FAQ
    was written or given their words), so no gap any more."""
    last_gap = {a.question: a.last_asked for a in askings if a.last_asked}
    fixed: set[str] = set()
    questions = sorted(last_gap)
    for start in range(0, len(questions), 500):
        chunk = questions[start : start + 500]
        query = (
            select(QueryLog.question, func.max(QueryLog.asked_at))
            .where(QueryLog.status == "answered", QueryLog.question.in_(chunk))
            .group_by(QueryLog.question)
        )
        for question, last in session.execute(query):
            if last is not None and _aware(last) > _aware(last_gap[question]):
                fixed.add(question)
    return fixed


def _aware(moment: datetime) -> datetime:
    """SQLite returns an aggregate's datetime as naive (it is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# grouping


def stems(question: str) -> frozenset[str]:
    """Content stems: words that are neither stop words nor filler, first five letters."""
    words = WORD.findall(question.lower())
    return frozenset(w[:STEM] for w in words if w not in STOP_WORDS and w not in FILLER)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def group_by_words(askings: Sequence[Asking], threshold: float = WORDS_THRESHOLD) -> list[Group]:
    """Greedy: each question (most asked first) joins the first group whose first question
    shares enough content stems with it."""
    leaders: list[frozenset[str]] = []
    members: list[list[Asking]] = []
    for a in askings:
        mine = stems(a.question)
        scores = [dice(mine, leader) for leader in leaders]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= threshold and mine:
            members[best].append(a)
        else:
            leaders.append(mine)
            members.append([a])
    return [Group(m, m[0].question) for m in members]


def average_linkage(vectors, threshold: float) -> list[list[int]]:
    """Agglomerative clustering, average linkage: the two groups whose questions are closest
    on average (mean cosine over every pair across them) merge while that mean is at least
    `threshold`. The group-to-group similarities are updated in place (Lance-Williams), so each
    merge costs one pass over the matrix."""
    import numpy as np

    v = np.asarray(vectors, dtype="float32")
    n = len(v)
    similarity = v @ v.T
    np.fill_diagonal(similarity, -np.inf)
    size = np.ones(n, dtype="float32")
    members = {i: [i] for i in range(n)}
    while len(members) > 1:
        i, j = divmod(int(np.argmax(similarity)), n)
        if similarity[i, j] < threshold:
            break
        merged = (size[i] * similarity[i] + size[j] * similarity[j]) / (size[i] + size[j])
        similarity[i], similarity[:, i] = merged, merged
        similarity[i, i] = -np.inf
        similarity[j], similarity[:, j] = -np.inf, -np.inf
        size[i] += size[j]
        members[i] += members.pop(j)
    return [sorted(m) for m in members.values()]


def group_by_meaning(
    askings: Sequence[Asking], vectors, threshold: float = MEANING_THRESHOLD
) -> list[Group]:
    """Average-linkage groups; each group's representative is the question nearest its
    centre. `vectors`: one unit row per asking, in the same order."""
    import numpy as np

    vectors = np.asarray(vectors, dtype="float32")
    groups = []
    for rows in average_linkage(vectors, threshold):
        centre = vectors[rows].sum(axis=0)
        nearest = rows[int(np.argmax(vectors[rows] @ centre))]
        groups.append(Group([askings[i] for i in rows], askings[nearest].question))
    return groups


def embed(questions: Sequence[str]):
    """Unit vectors of the questions (api/services/question_vectors.py: batched, kept)."""
    from .question_vectors import embed as vectors  # numpy: meaning only

    return vectors(questions)


def meaning_available(semantic: bool) -> bool:
    if not semantic:
        return False
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - words-only install
        return False
    return True


def group(askings: Sequence[Asking], semantic: bool) -> list[Group]:
    """Groups of the askings, largest first (askings, then distinct questions)."""
    if not askings:
        return []
    if meaning_available(semantic):
        groups = group_by_meaning(askings, embed([a.question for a in askings]))
    else:
        groups = group_by_words(askings)
    return sorted(groups, key=lambda g: (-g.size, -len(g.askings), g.representative))
