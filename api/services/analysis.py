"""What a question asks: its content words, corrected and expanded.

A question is reduced to its content words (stop words and chat filler dropped: words.py),
each word also stands for its glossary expansions (k8s: kubernetes) and, when the index has no
such word and it is not a real English word, for the closest indexed word (kubernets:
kubernetes). Search, passages and answers all start from an Analysis.
"""

import difflib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from flask import current_app
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from .. import generation
from ..generation import Generation
from .words import FILLER, MAX_WORDS, STOP_WORDS, english

WORD = re.compile(r"[a-z0-9]+")


def app_glossary() -> dict[str, tuple[str, ...]]:
    """The running app's glossary: its SEED_DIR's glossary.json (load_glossary)."""
    return load_glossary(f"{current_app.config['SEED_DIR']}/glossary.json")


def load_glossary(path: str) -> dict[str, tuple[str, ...]]:
    """Abbreviations and synonyms: {"k8s": ("kubernetes",), ...}.

    The glossary is a file (SEED_DIR's glossary.json), not content the API writes, so it is
    kept by the file's modification time and size rather than by the content's generation:
    an edited file is read again on the next question, in every process (one stat a call).
    """
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return _read_glossary(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read_glossary(path: str, _mtime_ns: int, _size: int) -> dict[str, tuple[str, ...]]:
    return {k.lower(): tuple(v) for k, v in json.loads(Path(path).read_text()).items()}


@dataclass(frozen=True)
class Analysis:
    words: tuple[str, ...]  # the content words, corrected
    terms: tuple[str, ...]  # words and expansions (phrases allowed), to OR together
    corrections: dict[str, str] = field(default_factory=dict)
    # content words of three letters or more that the content never uses, the glossary does
    # not expand and no correction replaced: what the knowledge base knows nothing about
    unknown: tuple[str, ...] = ()


def _characters(word: str) -> int:
    """The set of the word's characters, as a bit mask."""
    mask = 0
    for character in word:
        mask |= 1 << ord(character)
    return mask


WORDS_STARTING_WITH = text("SELECT term FROM search_terms WHERE substr(term, 1, 1) = :first")
KNOWN_WORDS = text("SELECT term FROM search_terms WHERE term IN :words").bindparams(
    bindparam("words", expanding=True)
)


@dataclass
class _Initial:
    """The index's words that start with one character: as a set, and by length with each
    word's characters' mask."""

    words: set[str] = field(default_factory=set)
    by_length: dict[int, list[tuple[str, int]]] = field(default_factory=dict)


class Vocabulary:
    """The index's words as of one generation, for known words and typo correction without a
    query per question.

    Words are read per first character, when a question's word first needs them, and kept as a
    set and by length (a correction starts with the word's first character and is at most two
    characters longer or shorter), each with its characters' mask. Without a generation (it
    could not be read), nothing is kept and each question asks the database.
    """

    def __init__(self, current: Generation | None) -> None:
        self.generation = current
        self._by_start: dict[str, _Initial] = {}

    def _starting_with(self, session: Session, first: str) -> _Initial:
        found = self._by_start.get(first)
        if found is None:
            found = _Initial()
            for term in session.scalars(WORDS_STARTING_WITH, {"first": first}):
                if term.startswith(first):
                    found.words.add(term)
                    found.by_length.setdefault(len(term), []).append((term, _characters(term)))
            if generation.seen_by(session, self.generation):
                self._by_start[first] = found
        return found

    def known(self, session: Session, words: Sequence[str]) -> set[str]:
        """Which of `words` the index has."""
        if self.generation is None:
            return set(session.scalars(KNOWN_WORDS, {"words": list(words)})) if words else set()
        return {w for w in words if w in self._starting_with(session, w[0]).words}

    def closest(self, session: Session, word: str) -> str | None:
        """The indexed word most like `word`: difflib ratio at least 0.8, same first character,
        length within 2, ties to the greatest word (difflib.get_close_matches, as before).

        A ratio of 0.8 needs 2 * matches >= 0.8 * (both lengths). A character one word has and
        the other lacks can never match, so the masks rule out most words before difflib
        compares the rest; the answer is the one difflib gives on all of them.
        """
        if len(word) < 4:
            return None
        by_length = self._starting_with(session, word[0]).by_length
        mask, candidates = _characters(word), []
        for length in range(len(word) - 2, len(word) + 3):
            needed = 2 * (len(word) + length)  # 5 * matches must reach it
            for term, term_mask in by_length.get(length, ()):
                if (
                    5 * (length - (term_mask & ~mask).bit_count()) >= needed
                    and 5 * (len(word) - (mask & ~term_mask).bit_count()) >= needed
                ):
                    candidates.append(term)
        best = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)
        return best[0] if best else None


# One vocabulary per database (keyed by its connection pool), replaced when the content's
# generation (api/generation.py) changes: writes and reindexing add words (and remove some).
_VOCABULARIES: "WeakKeyDictionary[Any, Vocabulary]" = WeakKeyDictionary()


def vocabulary(session: Session) -> Vocabulary:
    """This database's vocabulary as of the content's generation (a new, empty one when it
    has changed; a new one on each call while it cannot be read)."""
    pool, current = session.get_bind().pool, generation.of(session)
    found = _VOCABULARIES.get(pool)
    if current is None or found is None or found.generation != current:
        found = Vocabulary(current)
        if current is not None:
            _VOCABULARIES[pool] = found
    return found


def content_words(query: str) -> list[str]:
    """The question's content words, once each, in order: no stop word, no chat filler, at
    most MAX_WORDS of them (the work is capped, not the question)."""
    words = WORD.findall(query.lower())
    content = dict.fromkeys(w for w in words if w not in STOP_WORDS and w not in FILLER)
    return list(content)[:MAX_WORDS]


def analyze(session: Session, query: str, glossary: dict[str, tuple[str, ...]]) -> Analysis:
    """Content words, corrected when unknown, each with its glossary expansions.

    A word is corrected only when the index lacks it, the glossary does not expand it, it has
    four letters or more and it is not a real English word (api/services/words.py): "reset"
    and "manager" stay what they are, "kubernets" becomes "kubernetes".
    """
    content = content_words(query)
    indexed = vocabulary(session)
    known = indexed.known(session, content)
    unknown = {
        w
        for w in content
        if w not in known and w not in glossary and len(w) >= 4 and not english(w)
    }
    final, terms, corrections = [], [], {}
    for word in content:
        terms.append(word)
        if word in unknown and (fixed := indexed.closest(session, word)):
            corrections[word] = fixed
            terms.append(fixed)
        final.append(corrections.get(word, word))
        terms += glossary.get(word, ())
    strange = tuple(
        w
        for w in content
        if w not in known and w not in glossary and w not in corrections and len(w) >= 3
    )
    return Analysis(tuple(final), tuple(dict.fromkeys(terms)), corrections, strange)
