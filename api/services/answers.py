"""Answering a question with one FAQ entry, and saying how sure we are.

Confidence (0 to 1) = 0.7 * coverage + 0.3 * margin. Coverage: the share of the question's
content words (or one of their glossary expansions) found in the entry, compared on their
first five letters so that "deploying" meets "deployment". Margin: how far the best score is
ahead of the second. Below THRESHOLD there is no answer, only suggestions.

With semantic search on (api/services/semantic.py), hits are ranked by fused ranks, whose
margins say little; the entry's closeness in meaning to the question takes the margin's place:
confidence = 0.5 * coverage + 0.5 * closeness, closeness = (cosine - 0.2) / 0.4 kept within
0..1. Measured on the seed FAQ: off-topic questions come out below 0.27, the test questions
between 0.3 and 0.9 against the entry they ask about (median 0.68).
"""

from collections.abc import Sequence

from .search import WORD, Analysis, Hit

THRESHOLD = 0.5
STEM = 5
UNRELATED, CLOSE = 0.2, 0.6  # cosines mapped to closeness 0 and 1


def _stems(text: str) -> set[str]:
    return {word[:STEM] for word in WORD.findall(text.lower())}


def coverage(analysis: Analysis, glossary: dict[str, tuple[str, ...]], text: str) -> float:
    if not analysis.words:
        return 0.0
    stems = _stems(text)

    def covered(word: str) -> bool:
        options = [word, *glossary.get(word, ())]
        return any(all(w[:STEM] in stems for w in WORD.findall(o)) for o in options)

    return sum(map(covered, analysis.words)) / len(analysis.words)


def closeness(similarity: float) -> float:
    return min(1.0, max(0.0, (similarity - UNRELATED) / (CLOSE - UNRELATED)))


def confidence(
    analysis: Analysis,
    glossary: dict[str, tuple[str, ...]],
    text: str,
    hits: Sequence[Hit],
    similarity: float | None = None,
) -> float:
    """How sure we are that the first hit, whose full text is `text`, answers the question.

    `similarity`: the question's cosine with that entry, when semantic search is on.
    """
    if not hits:
        return 0.0
    if similarity is not None:
        return round(0.5 * coverage(analysis, glossary, text) + 0.5 * closeness(similarity), 3)
    best = hits[0].score
    margin = 1.0 if len(hits) == 1 or best <= 0 else max(0.0, (best - hits[1].score) / best)
    return round(0.7 * coverage(analysis, glossary, text) + 0.3 * margin, 3)
