"""A question that names a role and one of its aspects ranks that role's cell first."""

import pytest

from api.extensions import db
from api.services import retrieval, role_aspects
from api.services.analysis import analyze, app_glossary
from api.services.passage_index import index


def _named(app, question: str) -> set[str]:
    with app.test_request_context():
        glossary = app_glossary()
        analysis = analyze(db.session, question, glossary)
        return role_aspects.named(index(db.session), analysis, glossary)


@pytest.mark.parametrize(
    "question, roles",
    [
        ("what do devs automate", {"developer"}),
        ("sre vs devops, who is on call", {"site-reliability-engineer", "devops-engineer"}),
        ("full cycle developer tooling", {"full-cycle-developer"}),  # not the developer too
        ("platform eng pain points", {"platform-engineer"}),
        ("what is kubernetes used for", set()),
    ],
)
def test_the_roles_a_question_names(app, question, roles):
    assert _named(app, question) == roles


@pytest.mark.parametrize(
    "question, cell, semantic",
    [
        # an FAQ about every role's automation came first by words
        ("what do developers automate", "roles/developer#automation", False),
        ("devops engineer automation", "roles/devops-engineer#automation", False),
        ("what do devs automate", "roles/developer#automation", False),
        ("what do devs automate", "roles/developer#automation", True),
        # by meaning, the FAQ on what scale means to each role came first
        ("what does scale mean for a devops engineer", "roles/devops-engineer#scale_focus", True),
        # the aspect named whole beats one that shares a word with it (scale focus)
        ("developer focus", "roles/developer#focus", False),
    ],
)
def test_a_named_roles_aspect_ranks_its_cell_first(app, question, cell, semantic):
    if semantic and not app.config.get("SEMANTIC_SEARCH"):
        pytest.skip("words only: the passages have no vectors to rank by meaning")
    with app.test_request_context():
        found = retrieval.retrieve(db.session, question, k=3, semantic=semantic)
    assert found[0].passage.id == cell
    assert found[0].aspect > 0


def test_the_aspect_feature_keeps_the_filters(app):
    with app.test_request_context():
        found = retrieval.retrieve(db.session, "what does an sre automate", 5, ["faqs"])
        other = retrieval.retrieve(db.session, "what does an sre automate", 5, role="developer")
    assert found and {f.passage.collection for f in found} == {"faqs"}
    assert all(" developer " in f.passage.roles for f in other)
