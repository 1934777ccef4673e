"""Which roles a question names, and which of their aspects it asks about.

Many questions ask one aspect of one or two roles ("devops core stack?": the DevOps
engineer's core tooling; "what does a devops engineer automate": its automation). The
matrix cell that answers shares few words with such a question beyond the role's name, which
is in most passages, and an FAQ or the role's summary that shares one more word wins.
Retrieval (api/services/retrieval.py) gives the cells of the roles a question names whose
aspect it names a feature (`aspect`, 0 to 1).

- named(found, analysis, glossary): the slugs of the roles the question names: a role is
  named when the question has its short name ("sre", "devops") or every word of its name
  but "engineer" ("platform", "site reliability"), a word standing for its glossary
  expansions too ("devs": developer). A role whose words are all another named role's is
  dropped ("full-cycle developer" names one role, not the developer too).
- cells(found, analysis, glossary): those roles' cells whose aspect (the field's name: "pain
  points", "automation", "scale focus") shares a word with the question (or a glossary
  expansion of one), on the first five letters ("automate" meets "automation"), each with the
  share of its aspect's words the question has ("developer focus": focus 1, scale focus 1/2).

Roles, names and fields come from the index (the content as stored), not from a list here.
Tried and left out (tune half): the question's cosine with each aspect's mean vector or
with its schema description; it added nothing on top of the words.
"""

from .analysis import WORD, Analysis
from .passage_index import STEM, Index

GENERIC = frozenset({"engin"})  # a role's name is said without it ("platform eng", "devops")


def _stems(text: str) -> frozenset[str]:
    return frozenset(w[:STEM] for w in WORD.findall(text.lower()))


def _roles(
    found: Index,
) -> tuple[dict[str, list[frozenset[str]]], list[tuple[int, str, frozenset]]]:
    """Per role slug, the ways to name it (its name's stems less GENERIC, its short name's),
    and every cell of the matrix: (position, role slug, its field's stems). Kept per index."""
    cached = getattr(found, "_role_aspects", None)
    if cached is None:
        ways: dict[str, list[frozenset[str]]] = {}
        cells = []
        for i, p in enumerate(found.passages):
            if p.collection != "roles":
                continue
            if p.anchor == "summary":
                name, _, short = p.title.partition(" (")
                ways[p.slug] = [w for w in (_stems(name) - GENERIC, _stems(short)) if w]
            else:
                cells.append((i, p.slug, _stems(p.field.replace("_", " "))))
        cached = found._role_aspects = (ways, cells)
    return cached


def _question_stems(analysis: Analysis, glossary) -> set[str]:
    """The stems of the question's content words and of their glossary expansions."""
    stems = {w[:STEM] for w in analysis.words}
    for word in analysis.words:
        for expansion in glossary.get(word, ()):
            stems |= _stems(expansion)
    return stems


def named(found: Index, analysis: Analysis, glossary) -> set[str]:
    """The slugs of the roles the question names (module docstring)."""
    stems = _question_stems(analysis, glossary)
    hits = {}
    for slug, ways in _roles(found)[0].items():
        matched = [way for way in ways if way <= stems]
        if matched:
            hits[slug] = frozenset().union(*matched)
    return {s for s, w in hits.items() if not any(w < other for other in hits.values())}


def cells(found: Index, analysis: Analysis, glossary) -> list[tuple[int, float]]:
    """(index position, share of its aspect's words the question has) of each cell of a
    named role whose aspect the question names, at least in part."""
    roles = named(found, analysis, glossary)
    if not roles:
        return []
    stems = _question_stems(analysis, glossary)
    return [
        (i, len(aspect & stems) / len(aspect))
        for i, slug, aspect in _roles(found)[1]
        if slug in roles and aspect & stems
    ]
