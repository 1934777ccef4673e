"""Features of a best passage that look past its own scores (api/services/answers.py).

Fitted on the tune halves of the evaluation sets (bench/fit_answers.py), a best passage
is wrong most often when the question compares roles, or when other signals about the best
ENTRY disagree with the fused ranking. Each is cheap: a regular expression, one matrix product
over the entries' vectors and passages' vectors the ranking holds already.
Tried and left out (bench/fit_answers.py --variants): whether the passage first by words, or
first by meaning, is of the best passage's entry (no gain held out); whether the best passage
is an FAQ whose closest phrasing (its question or an example question, taken alone) shares at
least as many of the question's content words as any other FAQ's among the candidates (held
out, it adds nothing to `example_gap`; removed 2026-12-07).

- `compare`: 1 when the question asks for a comparison ("vs", "compare", "difference",
  "each", "both", "between"...). One passage rarely answers a comparison as the set's
  acceptable answers do: the roles' cells, an FAQ about all roles and a topic compete;
- `agree_entry`: 1 when the best passage's entry is also the entry nearest the question in
  meaning (the question's cosine with each entry's vector: the normalised sum of its
  passages'), a signal independent of the passage's own cosine and of words (meaning only);
- `length` and `long`: the question's number of content words (at most MAX_WORDS, 32), and 1
  for six or more. The other features mean less as a question grows (a long question's best
  passage covers a smaller share of its words and scores lower, right or wrong), and the
  long questions of the sets are seldom unanswerable. Held out (5 folds x 20, mean of 12
  shuffles, tune half of sets A and B): `length` in the semantic model, right 0.420 -> 0.459
  at the same wrong (0.017) and off-topic (0.018) shares;
- `support`: how many of the candidates (the first CANDIDATES passages) are of the best
  passage's entry. Its fitted weight is negative, beside `margin` (over the best passage of
  another entry): when one entry's passages fill the first places, the runner-up entry comes
  further down and the margin overstates the lead; alone it barely tells. Held out with
  `long` in the words model: right 0.261 -> 0.367, wrong 0.045 -> 0.044, off-topic 0.035
  (either alone: `long` 0.293, `support` 0.293).
- `similar_margin` (meaning only): the lead over the runner-up entry (`margin`) times the
  cosine of the two passages' vectors. Fitted beside `margin` with a positive weight: a lead
  counts for more when the runner-up says much the same thing (an FAQ and the topic it
  summarises are often both acceptable) than when it is about something else. Added on
  2026-12-07 with `margin` to the semantic model, fitted on the tune halves of sets A, B and
  C: held out, AUC among answerable questions 0.739 -> 0.769; fitted on two sets' tune
  halves and judged on the third's, right 35.7 -> 37.6 % and wrong 2.1 -> 1.4 % (mean of the
  three). In the words model (stem overlap in place of the cosine) it did not help.
- `named` (words only): 1 when the question has every content word of the best passage's
  entry's title ("which roles work with terraform", "who owns the error rate"). Questions
  about a tool, a metric or a term named outright had their best passage right nearly every
  time and yet few were answered. Added on 2026-12-07 to the words model, fitted on the tune
  halves of sets A to D: held out (mean of 6 shuffles), AUC among answerable questions
  0.717 -> 0.736 and right at the threshold 38.7 -> 46.3 % (wrong 4.2 -> 4.6 %); at equal
  wrong shares 2 to 8 points more right; set by set (fitted on three sets, judged on the
  fourth) 38.6 -> 44.5 % right, 3.7 -> 4.6 % wrong. In the semantic model it did not help
  (set by set 39.3 -> 38.3 % right at the same 1.7 % wrong): the cosines tell it already.
- `role_fit` (meaning only): the share of the roles the question names (role_aspects.named:
  "sre", "platform", "devs") that the best passage is about (its `roles`); 1 when the question
  names none or the passage is about no role. A passage about one of two roles compared, or
  about another role, is right less often (67 % against 90 % on the tune halves). Added on
  2026-12-07 to the semantic model, fitted on the tune halves of sets A to E: held out, AUC
  among answerable questions 0.766 -> 0.781; set by set (fitted on four sets, judged on the
  fifth), at a cap of 1.5 % wrong 39.2 -> 43.6 % right at the same wrong share, at 2 % 45.1 ->
  49.6 % right but 2.1 -> 2.9 % wrong, at 1 % 36.3 -> 37.6 % right and 1.5 -> 0.9 % wrong. In
  the words model it did not help (set by set at 4, 5 and 6 % caps: 0.5 more, 0.5 and 1.6
  fewer right).
Tried on the same tune questions and left out (under 1.5 points held out on top of the kept
features, a gain not seen when fitting on set A's tune half and judging set B's and the
reverse, or more answered wrong): whether the first two passages are of one entry, one
collection or one field; the distinct entries among the first 5 or 10; the runner-up entry's
score over the best's, its cosine over the best's; the best passage's rank by words alone and
by meaning alone (1/rank, log rank, first or not); the number of unknown words; a word opening
a question (what, how, why, who, when, which, where, yes/no); the role-aspect score; products
of pairs of features (score by known, structured, faq or entry gap; faq by entry gap...).
"""

import re
from collections.abc import Sequence
from typing import Any

from .analysis import WORD
from .passage_index import STEM, Index
from .retrieval import ScoredPassage
from .words import STOP_WORDS

STOP_STEMS = frozenset(w[:STEM] for w in STOP_WORDS)

COMPARE = re.compile(
    r"\b(vs|versus|compare[sd]?|comparing|comparison|differen(?:ce|ces|t)|differ|each|both"
    r"|between)\b"
)
LONG = 6  # content words from which a question is `long`


def role_fit(roles: set[str], best: ScoredPassage | None) -> float:
    """The share of the roles the question names (`roles`) that the best passage is about; 1
    when it names none or the passage is about no role (module docstring)."""
    about = set(best.passage.roles.split()) if best is not None else set()
    if not roles or not about:
        return 1.0
    return len(roles & about) / len(roles)


def compare(query: str) -> float:
    return 1.0 if COMPARE.search(query.lower()) else 0.0


def agree_entry(found: Index, vector: Any, best: ScoredPassage | None) -> float:
    """1 when the best passage's entry is the entry nearest the question (meaning only)."""
    if vector is None or best is None or found.matrix is None or best.cosine is None:
        return 0.0
    import numpy as np

    nearest = int(np.argmax(found.entries @ vector))
    return 1.0 if int(found.entry_of[found.by_row[best.passage.row]]) == nearest else 0.0


def similar_margin(found: Index, margin: float, best: ScoredPassage, runner) -> float:
    """`margin` times the cosine between the best passage and the runner-up entry's best
    passage (meaning only: 0 without vectors)."""
    if runner is None or found.matrix is None or best.cosine is None:
        return 0.0
    a, b = found.by_row[best.passage.row], found.by_row[runner.passage.row]
    return margin * float(found.matrix[a] @ found.matrix[b])


def length(words: Sequence[str]) -> float:
    """The number of content words of the question."""
    return float(len(words))


def long(words: Sequence[str]) -> float:
    """1 for a question of LONG content words or more."""
    return 1.0 if len(words) >= LONG else 0.0


def support(passages: Sequence[ScoredPassage]) -> float:
    """How many of `passages` are of the first one's entry (the first one included)."""
    if not passages:
        return 0.0
    best = passages[0].passage.entry
    return float(sum(p.passage.entry == best for p in passages))


def named(found: Index, best: ScoredPassage | None, query: str, words: Sequence[str]) -> float:
    """1 when the question has every content word of the best passage's entry's title (it
    names the entry: "which roles work with terraform", "who owns the error rate")."""
    if best is None or best.passage.row not in found.by_row:
        return 0.0
    title = found.title_stems(found.by_row[best.passage.row]) - STOP_STEMS
    asked = {w[:STEM] for w in (*WORD.findall(query.lower()), *words)}
    return 1.0 if title and title <= asked else 0.0
