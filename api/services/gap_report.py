"""The content-gap report: each group of gap questions (api/services/gaps.py) with the
nearest entry and a suggestion an editor can send as is.

    report(session, since, until, statuses, semantic, limit, offset) -> (groups, list[Gap])

Nearest: the entry the answering machinery ranks first (api/services/retrieval.py retrieve)
for the group's representative question; and the FAQ nearest the group's questions, compared
with the questions and examples of each FAQ (api/services/nearest_faq.py).

Suggestion:
- `add_examples` when that FAQ is close (NearestFaq.close), unless the group's "not helpful"
  votes were mostly cast on that very FAQ: the request is the FAQ's normal write,
  `PATCH /v1/faqs/<slug>` with `If-Match` (its current ETag) and the new `examples` list, so
  it makes a revision and a change like any edit. FAQ examples are 3 to 6 (schemas/faqs.py):
  the group's phrasings take up to NEW_EXAMPLES places, most asked first, and the FAQ keeps
  its first examples in the places left; `dropped` names the examples the request would
  remove, `left_out` the phrasings it could not add.
- `new_faq` otherwise: `POST /v1/faqs` with a slug and question made from the
  representative, the other phrasings as examples (when there are 3 or more) and `answer`
  null, which the API refuses (422) until the editor writes it: `fill_in` says so. An FAQ is
  live when created (there are no drafts).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from schemas.faqs import (
    EXAMPLE_MAX_LENGTH,
    EXAMPLE_MIN_LENGTH,
    EXAMPLES_MAX,
    EXAMPLES_MIN,
    same_words,
)

from ..registry import BY_NAME
from ..urls import entry_url
from .entries import get_entry
from .gaps import DEFAULT_STATUSES, Group, collect, group, meaning_available
from .history import deleted_revision
from .nearest_faq import NearestFaq, nearest_faqs
from .passages import representation_etag
from .retrieval import ScoredPassage, retrieve

NEW_EXAMPLES = EXAMPLES_MAX // 2  # the editors' own examples keep at least half the places
PHRASINGS = 5
SLUG_WORDS = 8


@dataclass
class Gap:
    group: Group
    nearest: ScoredPassage | None
    faq: NearestFaq | None
    suggestion: dict[str, Any]


def usable(question: str) -> bool:
    """A phrasing an FAQ can hold: the right length, no scrubbed placeholder."""
    return EXAMPLE_MIN_LENGTH <= len(question) <= EXAMPLE_MAX_LENGTH and "<" not in question


def add_examples(session: Session, group: Group, slug: str) -> dict[str, Any] | None:
    """The PATCH attaching the group's phrasings to the FAQ, or None when none can be added."""
    faqs = BY_NAME["faqs"]
    entry = get_entry(session, faqs, slug)
    if entry is None:
        return None
    shown = faqs.schema_instance.dump(entry)
    existing = list(shown.get("examples") or [])
    taken = {same_question(shown["question"]), *map(same_question, existing)}
    fresh = []
    for asking in group.phrasings():
        key = same_question(asking.question)
        if usable(asking.question) and key not in taken:
            taken.add(key)
            fresh.append(asking.question)
    if not fresh:
        return None
    added = fresh[:NEW_EXAMPLES]
    kept = existing[: EXAMPLES_MAX - len(added)]
    examples = kept + added
    suggestion = {
        "action": "add_examples",
        "why": f"The FAQ '{shown['question']}' is close to these questions: add them as its "
        "example questions, so that answers find it in the askers' words.",
        "faq": entry_url("faqs", slug),
        "request": {
            "method": "PATCH",
            "url": entry_url("faqs", slug),
            "headers": {
                "If-Match": representation_etag(shown),
                "Content-Type": "application/merge-patch+json",
            },
            "body": {"examples": examples},
        },
        "fill_in": [],
        "dropped": existing[len(kept) :],
        "left_out": fresh[len(added) :],
    }
    if len(examples) < EXAMPLES_MIN:
        suggestion["request"] = None
        suggestion["why"] += (
            f" An FAQ needs {EXAMPLES_MIN} to {EXAMPLES_MAX} examples or none: write "
            f"{EXAMPLES_MIN - len(examples)} more of your own with these."
        )
    return suggestion


def same_question(text: str) -> str:
    """As schemas/faqs.py compares questions, and a closing "?" or "." aside."""
    return same_words(text).rstrip("?!. ")


def slug_for(session: Session, question: str) -> str:
    """A slug made of the question's first words, free (never used, not even deleted)."""
    words = re.findall(r"[a-z0-9]+", question.lower())[:SLUG_WORDS] or ["new", "question"]
    base = "-".join(words)[:60].strip("-")
    faqs = BY_NAME["faqs"]
    slug, n = base, 1
    while get_entry(session, faqs, slug) is not None or deleted_revision(session, faqs, slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def as_question(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith("?") else f"{text.rstrip('.!')}?"


def new_faq(session: Session, group: Group, why: str) -> dict[str, Any]:
    """The POST of a new FAQ for the group, its answer left for the editor to write."""
    question = as_question(group.representative)
    taken = {same_question(question)}
    examples = []
    for asking in group.phrasings():
        key = same_question(asking.question)
        if usable(asking.question) and key not in taken and len(examples) < EXAMPLES_MAX:
            taken.add(key)
            examples.append(asking.question)
    left_out = [a.question for a in group.phrasings() if same_question(a.question) not in taken]
    body = {
        "slug": slug_for(session, group.representative),
        "question": question,
        "answer": None,
        "examples": examples if len(examples) >= EXAMPLES_MIN else [],
        "roles": [],
        "tags": [],
    }
    return {
        "action": "new_faq",
        "why": why,
        "faq": None,
        "request": {
            "method": "POST",
            "url": "/v1/faqs",
            "headers": {"Content-Type": "application/json"},
            "body": body,
        },
        "fill_in": ["answer"],
        "dropped": [],
        "left_out": left_out,
    }


def suggest(session: Session, group: Group, faq: NearestFaq | None, semantic: bool) -> dict:
    nothing = "No FAQ is close to these questions: write one. Replace the null `answer` "
    nothing += "with yours (sent as is, the request is refused), check the question, roles, tags."
    if faq is None or not faq.close(semantic):
        return new_faq(session, group, nothing)
    slug = faq.slug
    votes = group.unhelpful_entries[("faqs", slug)]
    if votes * 2 >= group.size:
        why = f"Askers found the FAQ {slug} unhelpful for these questions: write another. "
        return new_faq(session, group, why + nothing.split(": ", 1)[1])
    return add_examples(session, group, slug) or already_examples(faq)


def already_examples(faq: NearestFaq) -> dict[str, Any]:
    """The group's questions are all the FAQ's own already, and still not answered: another
    FAQ would only compete with it (two near-identical entries make answers ambiguous)."""
    return {
        "action": "add_examples",
        "why": f"These questions are already the question and examples of the FAQ {faq.slug}: "
        "if asking them again still gets no answer, improve its answer (nothing to send).",
        "faq": entry_url("faqs", faq.slug),
        "request": None,
        "fill_in": [],
        "dropped": [],
        "left_out": [],
    }


def best(found: Sequence[ScoredPassage]) -> ScoredPassage | None:
    return found[0] if found else None


def report(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: Sequence[str] = DEFAULT_STATUSES,
    semantic: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[Gap]]:
    """(the number of groups, the gaps from `offset`, at most `limit`), largest first."""
    semantic = meaning_available(semantic)
    groups = group(collect(session, since, until, statuses), semantic)
    shown = groups[offset : offset + limit if limit else None]
    gaps = []
    for g, faq in zip(shown, nearest_faqs(session, shown, semantic), strict=True):
        nearest = best(retrieve(session, g.representative, 1, semantic=semantic))
        gaps.append(Gap(g, nearest, faq, suggest(session, g, faq, semantic)))
    return len(groups), gaps


def phrasings(gap: Gap) -> list[dict[str, Any]]:
    return [{"question": a.question, "count": a.count} for a in gap.group.phrasings(PHRASINGS)]
