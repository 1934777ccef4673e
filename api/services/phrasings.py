"""An FAQ's phrasings: its question and its example questions, each taken alone.

Answers (api/services/answers.py) compare a question with each phrasing of the FAQs it found,
as Intercom's custom answers do, rather than with an FAQ's whole passage (its answer and every
example embedded together): an FAQ's answer ranked first is most often wrong when another FAQ
found with it has a phrasing as close to the question.

- phrasing_stems(index, rows): the phrasings of these FAQ passages as sets of stems (first
  five letters);
- phrasing_vectors(index, rows): the same as unit vectors, with meaning, for the FAQ passages
  a question found: a phrasing is embedded the first time its FAQ is a candidate, and once
  per process (EXAMPLE_VECTORS kept, by text as the model reads it) whatever index it is in,
  so an index read again after a write embeds nothing new but changed phrasings;
- example_gap / example_cosine_gap: for the best entry when it is an FAQ, its closest phrasing
  (share of the question's content words / cosine) minus the best other FAQ's; 0 otherwise.
"""

import threading
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from .analysis import WORD
from .passage_index import STEM, Index
from .retrieval import ScoredPassage

EXAMPLE_VECTORS = 20_000  # FAQ phrasings whose vectors each process keeps (1.5 kB each)
# Up to this many FAQs, the first question after an index is read embeds every FAQ's phrasings
# at once (the seed's 56 FAQs: ~340 short sentences, about a second once per process), so that
# later questions never wait for the model; past it, each FAQ's when it is first a candidate.
EAGER_FAQS = 150

_STEMS: "WeakKeyDictionary[Index, dict[int, list[frozenset[str]]]]" = WeakKeyDictionary()
_VECTORS: "WeakKeyDictionary[Index, dict[int, Any]]" = WeakKeyDictionary()
_VECTOR_OF: dict[str, Any] = {}  # a phrasing's vector, by its text as the model reads it
_LOCK = threading.Lock()


def _stem_set(text: str) -> frozenset[str]:
    return frozenset(w[:STEM] for w in WORD.findall(text.lower()))


def faq_phrasings(passage) -> list[str]:
    """An FAQ's question and its example questions. The FAQ passage's searched text is its
    answer, then one example question a line, then the "About: <roles>." line
    (api/services/passages.py, _faq)."""
    answer = set(passage.text.splitlines())
    lines = passage.search_text.splitlines()
    examples = [x for x in lines if x not in answer and x.strip() and not x.startswith("About: ")]
    return [passage.title, *examples]


def phrasing_stems(found: Index, rows: Sequence[int]) -> dict[int, list[frozenset[str]]]:
    """The phrasings of the FAQ passages of these rows as stem sets, by passage row (kept per
    index)."""
    known = _STEMS.setdefault(found, {})
    for row in rows:
        if row not in known and row in found.by_row:
            passage = found.passages[found.by_row[row]]
            if passage.collection == "faqs":
                known[row] = [_stem_set(x) for x in faq_phrasings(passage)]
    return {row: known[row] for row in rows if row in known}


def _closest(words: Sequence[str], phrasings: list[frozenset[str]]) -> float:
    wanted = {w[:STEM] for w in words}
    if not wanted or not phrasings:
        return 0.0
    return max(len(wanted & p) for p in phrasings) / len(wanted)


def example_gap(words, entries: Sequence[ScoredPassage], phrasings) -> float:
    best = entries[0].passage
    if best.collection != "faqs":
        return 0.0
    others = [
        _closest(words, phrasings.get(p.passage.row, []))
        for p in entries[1:]
        if p.passage.collection == "faqs"
    ]
    return _closest(words, phrasings.get(best.row, [])) - max(others, default=0.0)


def phrasing_vectors(found: Index, rows: Sequence[int]) -> dict[int, Any]:
    """The phrasings of the FAQ passages of these rows as matrices of unit vectors (one row
    each), by passage row. Embedded the first time a passage is asked for (a few short
    sentences), then kept per index, and each text's vector per process."""
    import numpy as np

    from .encoder import ENCODER, normalised_question

    with _LOCK:
        known = _VECTORS.get(found)
        if known is None:
            known = _VECTORS[found] = {}
            faqs = [p.row for p in found.passages if p.collection == "faqs"]
            if len(faqs) <= EAGER_FAQS:
                rows = [*rows, *faqs]
        wanted = {
            row: [normalised_question(x) for x in faq_phrasings(found.passages[found.by_row[row]])]
            for row in rows
            if row not in known
            and row in found.by_row
            and found.passages[found.by_row[row]].collection == "faqs"
        }
        texts = (t for ts in wanted.values() for t in ts)
        missing = list(dict.fromkeys(t for t in texts if t not in _VECTOR_OF))
        if missing:
            if len(_VECTOR_OF) + len(missing) > EXAMPLE_VECTORS:
                _VECTOR_OF.clear()
                missing = list(dict.fromkeys(t for ts in wanted.values() for t in ts))
            _VECTOR_OF.update(zip(missing, ENCODER.embed(missing), strict=True))
        for row, ts in wanted.items():
            known[row] = np.stack([_VECTOR_OF[t] for t in ts])
        return {row: known[row] for row in rows if row in known}


def example_cosine_gap(vector, entries: Sequence[ScoredPassage], vectors) -> float:
    best = entries[0].passage
    if vector is None or best.collection != "faqs" or best.row not in vectors:
        return 0.0
    others = [
        float((vectors[p.passage.row] @ vector).max())
        for p in entries[1:]
        if p.passage.collection == "faqs" and p.passage.row in vectors
    ]
    return float((vectors[best.row] @ vector).max()) - max(others, default=0.0)
