"""An FAQ's phrasings: its question and its example questions, each taken alone.

Answers (api/services/answers.py) compare a question with each phrasing of the FAQs it found,
as Intercom's custom answers do, rather than with an FAQ's whole passage (its answer and every
example embedded together): an FAQ's answer ranked first is most often wrong when another FAQ
found with it has a phrasing as close to the question.

- phrasing_stems(index, rows): the phrasings of these FAQ passages as sets of stems (first
  five letters);
- phrasing_vectors(index, rows): the same as unit vectors, with meaning, kept per index. The
  vectors come from question_vectors.embed, the process's one cache of stored questions'
  vectors (the gap report's too), by text as the model reads it: an index read again after a
  write embeds nothing new but changed phrasings;
- warm(index): called by api/services/passage_index.py with each index it builds: with up to
  EAGER_PHRASINGS phrasings, embeds every FAQ's there, once per content generation (only the
  changed ones after a write), rather than in an answer's request; past it, each FAQ's when
  it is first a candidate;
- example_gap / example_cosine_gap: for the best entry when it is an FAQ, its closest phrasing
  (share of the question's content words / cosine) minus the best other FAQ's; 0 otherwise
  (`entries`: retrieval.py's ScoredPassages, whose `phrasing` is the closest phrasing's
  cosine retrieval ranked each FAQ with; this module does not import retrieval back).
"""

import threading
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from .analysis import WORD
from .passage_index import ON_BUILT, STEM, Index

# Up to this many distinct phrasings, every FAQ's are embedded when the index is built (about 3 ms
# each on a quiet core: the seed's 56 FAQs have ~340, a second once per process; 4,096 take
# about 12 s, on the request that reads the index, itself seconds at 30,000 passages), so that
# questions never wait for the model but for their own vector; past it, each FAQ's when it is
# first a candidate. Under question_vectors.KEPT: an index read again after a write finds them.
EAGER_PHRASINGS = 4096

_STEMS: "WeakKeyDictionary[Index, dict[int, list[frozenset[str]]]]" = WeakKeyDictionary()
_VECTORS: "WeakKeyDictionary[Index, dict[int, Any]]" = WeakKeyDictionary()
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


def example_gap(words, entries: Sequence[Any], phrasings) -> float:
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
    sentences; every FAQ's at once when the index was not warmed: up to EAGER_PHRASINGS),
    then kept per index, and each text's vector in question_vectors."""
    from .question_vectors import embed

    with _LOCK:
        known = _VECTORS.get(found)
        wanted = {}
        if known is None:
            known = _VECTORS[found] = {}
            every = {p.row: faq_phrasings(p) for p in found.passages if p.collection == "faqs"}
            if len({t for ts in every.values() for t in ts}) <= EAGER_PHRASINGS:
                wanted = every
        for row in rows:
            if row not in known and row not in wanted and row in found.by_row:
                passage = found.passages[found.by_row[row]]
                if passage.collection == "faqs":
                    wanted[row] = faq_phrasings(passage)
        if wanted:
            vectors = embed([t for ts in wanted.values() for t in ts])
            start = 0
            for row, ts in wanted.items():
                known[row] = vectors[start : start + len(ts)]
                start += len(ts)
        return {row: known[row] for row in rows if row in known}


def warm(found: Index) -> None:
    """Every FAQ's phrasings embedded for this index (up to EAGER_PHRASINGS), when the app
    answers by meaning and the index has vectors: passage_index calls it with each index it
    builds, so no answer's request embeds them."""
    from flask import current_app, has_app_context

    if found.matrix is None or not has_app_context():
        return
    if current_app.config.get("SEMANTIC_SEARCH"):
        phrasing_vectors(found, [])


def example_cosine_gap(entries: Sequence[Any]) -> float:
    """From the closest phrasings' cosines retrieval gave the FAQ passages (`phrasing`)."""
    best = entries[0]
    if best.cosine is None or best.passage.collection != "faqs" or best.phrasing is None:
        return 0.0
    others = [
        p.phrasing for p in entries[1:] if p.passage.collection == "faqs" and p.phrasing is not None
    ]
    return best.phrasing - max(others, default=0.0)


ON_BUILT.append(warm)
