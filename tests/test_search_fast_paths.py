"""Search's shortcuts give the answers of the plain way: typo corrections, counts, ranking.

Typo correction reads the index's words once per generation instead of once per word; the
backends count and rank in one pass. These tests hold each against the straightforward
computation on the seeded database, and the correction cache against writes.
"""

import difflib
import random

import pytest
from sqlalchemy import text

from api.registry import BY_NAME
from api.services.analysis import analyze
from api.services.search import search
from api.services.words import FILLER, STOP_WORDS, english

from .conftest import bearer

QUERIES = [
    "do devops folks even write code",
    "docker container image",
    "continous delivery explained",
    "why do we need k8s",
    "infra as code terrafrom",
    "testing",
]


def misspellings(word: str, rng: random.Random) -> set[str]:
    """Swapped, dropped and added letters, as people type them."""
    i = rng.randrange(1, len(word) - 2)
    return {
        word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        word[:i] + word[i + 1 :],
        word[:i] + word[i + 2 :],
        word[:i] + rng.choice("aeiost") + word[i:],
        word[:i] + rng.choice("aeiost") * 2 + word[i:],
    }


def test_corrections_are_difflibs_best_match_among_all_indexed_words(session):
    terms = list(session.scalars(text("SELECT term FROM search_terms ORDER BY term")))
    rng = random.Random(4)
    words = set()
    for term in rng.sample([t for t in terms if len(t) >= 6], 150):
        words |= misspellings(term, rng)
    corrected = 0
    # A stop word or filler is dropped, not corrected; a real English word is kept as it is.
    for word in sorted(w for w in words - set(terms) - STOP_WORDS - FILLER if not english(w)):
        expected = difflib.get_close_matches(
            word,
            [t for t in terms if t[0] == word[0] and abs(len(t) - len(word)) <= 2],
            n=1,
            cutoff=0.8,
        )
        analysis = analyze(session, word, {})
        assert analysis.corrections == ({word: expected[0]} if expected else {}), word
        corrected += bool(expected)
    assert corrected > 100


def plain_counts(session, terms, role) -> dict[str, int]:
    """Matches per collection, counted the obvious way."""
    dialect = session.bind.dialect.name
    role_filter = " AND roles LIKE :role" if role else ""
    if dialect == "sqlite":
        sql = (
            "SELECT collection, count(*) FROM search_fts WHERE search_fts MATCH :query"
            f"{role_filter} GROUP BY collection"
        )
        query = " OR ".join(f'"{term}"' for term in terms)
    else:
        sql = (
            "SELECT collection, count(*) FROM search_documents "
            f"WHERE tsv @@ websearch_to_tsquery('english', :query){role_filter} GROUP BY collection"
        )
        query = " or ".join(f'"{term}"' if " " in term else term for term in terms)
    rows = session.execute(text(sql), {"query": query, "role": f"% {role} %"})
    return dict(rows.all())


def plain_ranking(session, terms) -> list[tuple[str, str]]:
    """Every match, best first, ranked the obvious way."""
    if session.bind.dialect.name == "sqlite":
        sql = (
            "SELECT collection, slug FROM search_fts WHERE search_fts MATCH :query "
            "ORDER BY bm25(search_fts, 4.0, 1.0), rowid"
        )
        query = " OR ".join(f'"{term}"' for term in terms)
    else:
        sql = (
            "SELECT collection, slug FROM search_documents, "
            "websearch_to_tsquery('english', :query) q WHERE tsv @@ q "
            "ORDER BY ts_rank(tsv, q, 0) DESC, id"
        )
        query = " or ".join(f'"{term}"' if " " in term else term for term in terms)
    return [tuple(row) for row in session.execute(text(sql), {"query": query})]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("role", [None, "developer"])
def test_totals_and_facets_count_every_match(session, query, role):
    analysis = analyze(session, query, {})
    counts = plain_counts(session, analysis.terms, role)
    results = search(session, analysis, role=role, limit=3)
    assert results.total == sum(counts.values()) > 0
    assert results.facets == {BY_NAME[name].label: count for name, count in counts.items()}
    faqs = search(session, analysis, ["faqs"], role, limit=3)
    assert faqs.total == counts.get("faqs", 0)


@pytest.mark.parametrize("query", QUERIES)
def test_pages_follow_the_plain_ranking(session, query):
    analysis = analyze(session, query, {})
    ranking = plain_ranking(session, analysis.terms)
    pages = [search(session, analysis, limit=7, offset=offset).hits for offset in (0, 7, 14)]
    assert [(h.collection, h.slug) for page in pages for h in page] == ranking[:21]
    faqs = [entry for entry in ranking if entry[0] == "faqs"]
    hits = search(session, analysis, ["faqs"], limit=5, offset=2).hits
    assert [(h.collection, h.slug) for h in hits] == faqs[2:7]


def test_typo_corrections_follow_writes(writable_app):
    client, editor = writable_app.test_client(), bearer(writable_app, "speller")

    def corrections(query: str) -> dict[str, str]:
        return client.get("/v1/search", query_string={"q": query}).json["corrections"]

    assert corrections("quixoticism") == {}  # read (and kept) before the word exists
    body = {"slug": "quixotic", "question": "Why quixotically?", "answer": "Windmills."}
    assert client.post("/v1/faqs", json=body, headers=editor).status_code == 201
    assert corrections("quixoticaly") == {"quixoticaly": "quixotically"}
