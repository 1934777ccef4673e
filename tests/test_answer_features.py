"""The features of api/services/answer_features.py, on the seeded content."""

from contextlib import contextmanager

import pytest

from api.extensions import db
from api.services import answer_features, answers
from api.services.analysis import Analysis, analyze, app_glossary
from api.services.retrieval import Passage, ScoredPassage, index, question_vector, retrieve


@pytest.mark.parametrize(
    "question",
    [
        "dev vs devops in one sentence",
        "compare how a dev and an sre think about scale",
        "what's the difference between a developer and a platform engineer",
        "which languages does each role use",
    ],
)
def test_a_comparison_is_recognised(question):
    assert answer_features.compare(question) == 1.0


@pytest.mark.parametrize(
    "question", ["whats mttr", "what does a devops engineer automate", "who uses terraform"]
)
def test_a_question_about_one_thing_is_not_a_comparison(question):
    assert answer_features.compare(question) == 0.0


def scored(row: int, collection: str, slug: str, field: str, roles: str = "") -> ScoredPassage:
    p = Passage(row, collection, slug, field, field, slug, "text", "text", roles, 1, '"e"', [], {})
    return ScoredPassage(p, 0.5, 0.5, 1.0, 1.0, 1.0, 1, 1, 1, 0.0)


def faq(row: int, slug: str) -> ScoredPassage:
    return scored(row, "faqs", slug, "answer")


@contextmanager
def by_meaning(app, question: str):
    """The question's analysis and the passage index, in a request, with meaning on."""
    pytest.importorskip("numpy")
    if not app.config.get("SEMANTIC_SEARCH"):
        pytest.skip("words only: nothing is embedded")
    with app.test_request_context():
        glossary = app_glossary()
        yield analyze(db.session, question, glossary), index(db.session)


def test_the_entry_nearest_in_meaning_agrees_with_the_ranking(app):
    question = "who on the team sets up terraform"
    with by_meaning(app, question) as (analysis, found):
        vector = question_vector(question, analysis)
        entries = answers.distinct_entries(retrieve(db.session, question, 60, analysis=analysis))
        nearest = max(entries, key=lambda p: p.entry_cosine)
        farthest = min(entries, key=lambda p: p.entry_cosine)
        assert answer_features.agree_entry(found, vector, nearest) == 1.0
        assert answer_features.agree_entry(found, vector, farthest) == 0.0
        assert answer_features.agree_entry(found, None, nearest) == 0.0


def test_the_length_counts_content_words_and_long_starts_at_six():
    five, six = ("a", "b", "c", "d", "e"), ("a", "b", "c", "d", "e", "f")
    assert answer_features.length(five) == 5.0
    assert answer_features.long(five) == 0.0
    assert answer_features.long(six) == 1.0
    assert answer_features.length(()) == 0.0


def test_support_counts_the_candidates_of_the_best_passage_s_entry():
    found = [faq(0, "a"), faq(1, "b"), faq(2, "a"), faq(3, "c"), faq(4, "a")]
    assert answer_features.support(found) == 3.0
    assert answer_features.support(found[1:]) == 1.0
    assert answer_features.support([]) == 0.0


def test_the_answer_features_include_length_long_and_support():
    analysis = Analysis(("deploy", "fails", "every", "night", "after", "merge"), ())
    found = [faq(0, "a"), faq(1, "b"), faq(2, "a")]
    values = answers.features(analysis, found, frozenset({"deplo", "fails"}))
    assert (values["length"], values["long"], values["support"]) == (6.0, 1.0, 2.0)
    none = answers.features(analysis, [], frozenset())
    assert (none["length"], none["long"], none["support"]) == (6.0, 1.0, 0.0)


def test_similar_margin_is_the_lead_times_the_two_passages_cosine(app):
    question = "who sets up the terraform for the team"
    with by_meaning(app, question) as (analysis, found):
        candidates, values = answers.describe(db.session, question, analysis, True)
        best, runner = answers.distinct_entries(candidates)[:2]
        a, b = found.by_row[best.passage.row], found.by_row[runner.passage.row]
        cosine = float(found.matrix[a] @ found.matrix[b])
        assert 0.0 < cosine < 1.0
        assert values["similar_margin"] == pytest.approx(values["margin"] * cosine)
        assert answer_features.similar_margin(found, values["margin"], best, None) == 0.0
        _, words_only = answers.describe(db.session, question, analysis, False)
        assert words_only["similar_margin"] == 0.0


def about(*roles: str) -> ScoredPassage:
    """A role cell's passage about `roles` (stored space-padded, as the index keeps them)."""
    return scored(0, "roles", "x", "pain_points", f" {' '.join(roles)} ")


def test_role_fit_is_the_share_of_the_named_roles_the_passage_is_about():
    sre, both = {"site-reliability-engineer"}, {"developer", "devops-engineer"}
    assert answer_features.role_fit(sre, about("site-reliability-engineer")) == 1.0
    assert answer_features.role_fit(sre, about("platform-engineer")) == 0.0
    assert answer_features.role_fit(both, about("developer")) == 0.5
    assert answer_features.role_fit(both, about("developer", "devops-engineer")) == 1.0
    # Nothing to compare: no role named, or a passage about no role.
    assert answer_features.role_fit(set(), about("developer")) == 1.0
    assert answer_features.role_fit(sre, about()) == 1.0
    assert answer_features.role_fit(sre, None) == 1.0


def test_the_named_roles_reach_role_fit_through_describe(app):
    """Two roles named, a best passage about one of them (both rankings put the SRE's cell
    first): role_fit is 1/2, where a describe() that lost the roles would give 1."""
    question = "developer and sre pain points"
    with app.test_request_context():
        glossary = app_glossary()
        analysis = analyze(db.session, question, glossary)
        candidates, values = answers.describe(db.session, question, analysis, False)
        assert answers.distinct_entries(candidates)[0].passage.roles.split() == [
            "site-reliability-engineer"
        ]
        assert values["role_fit"] == 0.5
