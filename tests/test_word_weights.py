"""Words are weighed by how rare they are, on both databases: a passage that has a question's
rare word comes before passages that have only its common one (BM25 does this on SQLite; on
PostgreSQL ts_rank alone counted every word alike until searched_terms weighed them)."""

from api.extensions import db
from api.services.passage_index import STEM, index
from api.services.word_matches import searched_terms, word_matches, word_scores


def _pairs(found, count: int = 8) -> list[tuple[str, str]]:
    """(rare word, common word) pairs from the content: rare in one to three passages,
    common in the most passages of all."""
    words: dict[str, str] = {}
    for p in found.passages:
        for w in p.text.lower().split():
            if w.isalpha() and len(w) > STEM:
                words.setdefault(w[:STEM], w)
    ranked = sorted(words, key=lambda s: (found.passages_with(s), s))
    common = words[ranked[-1]]
    rare = [words[s] for s in ranked if 1 <= found.passages_with(s) <= 3 and s != ranked[-1]]
    step = max(1, len(rare) // count)
    return [(r, common) for r in rare[::step][:count]]


def test_a_rare_word_outweighs_a_common_one(app):
    with app.test_request_context():
        found = index(db.session)
        pairs = _pairs(found)
        assert len(pairs) >= 5
        for rare, common in pairs:
            terms, weights = searched_terms(found, [rare, common])
            assert terms == [rare, common]
            assert weights[0] > weights[1] > 0
            best = word_matches(db.session, terms, None, None, 3, weights)
            first = found.passages[found.by_row[best[0][0]]]
            assert rare[:STEM] in found.stems(found.by_row[best[0][0]]), (rare, common, first.id)


def test_a_passage_scores_the_same_in_both_word_queries(app):
    """retrieval asks word_matches for the best passages and word_scores for those found by
    meaning besides: one passage must not score differently in the two."""
    with app.test_request_context():
        found = index(db.session)
        for words in (
            ["pipeline", "deploy"],
            ["incident", "postmortem", "blameless"],
            ["kubernetes"],
        ):
            terms, weights = searched_terms(found, words)
            best = dict(word_matches(db.session, terms, None, None, 1000, weights))
            assert len(best) >= 3, words
            listed = [*sorted(best)[::2], max(p.row for p in found.passages) + 1]
            scores = word_scores(db.session, terms, listed, weights)
            assert scores == {row: best[row] for row in sorted(best)[::2]}, words
            # a passage no word matches is left out, as is an id no passage has
            unmatched = [p.row for p in found.passages if p.row not in best][:5]
            assert word_scores(db.session, terms, unmatched, weights) == {}
