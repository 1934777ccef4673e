"""Features of a best passage that look past its own scores (api/services/answers.py).

Fitted on the tune half of bench/eval/questions.jsonl (bench/fit_answers.py), a best passage
is wrong most often when the question compares roles, or when other signals about the best
ENTRY disagree with the fused ranking. Each is cheap: a regular expression, one matrix product
over the entries' vectors the ranking holds already, set intersections over the FAQs found.
Tried and left out (bench/fit_answers.py --variants): whether the passage first by words, or
first by meaning, is of the best passage's entry (no gain held out).

- `compare`: 1 when the question asks for a comparison ("vs", "compare", "difference",
  "each", "both", "between"...). One passage rarely answers a comparison as the set's
  acceptable answers do: the roles' cells, an FAQ about all roles and a topic compete;
- `agree_entry`: 1 when the best passage's entry is also the entry nearest the question in
  meaning (the question's cosine with each entry's vector: the normalised sum of its
  passages'), a signal independent of the passage's own cosine and of words (meaning only);
- `agree_faq_words`: 1 when the best passage is an FAQ's answer and no other FAQ among the
  candidates has a phrasing, its question or an example question taken alone, sharing more
  of the question's content words; 0 when none shares any. Tried, and not in either model:
  held out, it does not add to the features of api/services/phrasings.py (`example_gap`).
"""

import re
from collections.abc import Sequence
from typing import Any

from .passage_index import Index
from .phrasings import _closest
from .retrieval import ScoredPassage

COMPARE = re.compile(
    r"\b(vs|versus|compare[sd]?|comparing|comparison|differen(?:ce|ces|t)|differ|each|both"
    r"|between)\b"
)


def compare(query: str) -> float:
    return 1.0 if COMPARE.search(query.lower()) else 0.0


def agree_entry(found: Index, vector: Any, best: ScoredPassage | None) -> float:
    """1 when the best passage's entry is the entry nearest the question (meaning only)."""
    if vector is None or best is None or found.matrix is None or best.cosine is None:
        return 0.0
    import numpy as np

    nearest = int(np.argmax(found.entries @ vector))
    return 1.0 if int(found.entry_of[found.by_row[best.passage.row]]) == nearest else 0.0


def agree_faq_words(
    words: Sequence[str],
    passages: Sequence[ScoredPassage],
    phrasings: dict[int, list[frozenset[str]]],
) -> float:
    """1 when the best of `passages` is an FAQ whose closest phrasing shares at least as many
    of the question's content words as any other FAQ's among `passages`, and some."""
    if not passages or passages[0].passage.collection != "faqs":
        return 0.0
    best = passages[0].passage.row
    own = _closest(words, phrasings.get(best, []))
    others = (
        _closest(words, phrasings.get(p.passage.row, []))
        for p in passages[1:]
        if p.passage.collection == "faqs" and p.passage.row != best
    )
    return 1.0 if own > 0 and own >= max(others, default=0.0) else 0.0
