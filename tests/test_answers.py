"""/v1/answers: statuses, the passage and its citation, generic answers, Markdown, the spec
(issue 12, sections 2 and 3)."""

import pytest

from api.extensions import db
from api.resources.answers import answer_body
from api.services import answers
from api.services.retrieval import retrieve

MARKDOWN = {"Accept": "text/markdown"}
STATUSES = {"answered", "ambiguous", "no_match", "out_of_domain"}


def ask(client, question: str) -> dict:
    response = client.get("/v1/answers", query_string={"q": question})
    assert response.status_code == 200, response.json
    return response.json


def test_an_answer_has_a_status_and_cites_its_passage(client):
    body = ask(client, "do devops folks even write code??")
    assert body["status"] == "answered" and body["answered"] is True
    assert body["confidence"] >= body["threshold"]
    passage = body["passage"]
    assert passage["url"].startswith("/v1/faqs/do-devops-engineers-write-code#")
    entry = client.get(body["answer"]["url"])
    assert (passage["version"], passage["etag"]) == (entry.json["version"], entry.headers["ETag"])
    assert body["answer"]["etag"] == passage["etag"]
    assert body["answer"]["tags"] == sorted(entry.json["tags"]) and body["answer"]["tags"]
    assert body["answer"]["question"] == entry.json["question"]
    assert body["answer"]["answer"] == entry.json["answer"]
    assert body["options"] == []


@pytest.mark.parametrize(
    "question",
    [
        "what does a lawyer earn",  # answered with the salary FAQ at 0.65 before
        "how do i bake sourdough bread",
        "best pizza in naples",
        "who won the football last night",
        "write me a limerick about my cat",
        "the of and",
    ],
)
def test_off_topic_questions_are_not_answered(client, question):
    body = ask(client, question)
    assert body["status"] in ("out_of_domain", "no_match"), body
    assert body["answered"] is False
    assert body["answer"] is None and body["passage"] is None
    assert body["confidence"] < body["threshold"]


@pytest.mark.parametrize(
    "question",
    ["what does a scrum master do all day", "my smartphone battery dies by noon, any fix"],
)
def test_a_subject_the_content_does_not_know_is_not_answered_by_a_shared_word(client, question):
    body = ask(client, question)
    assert body["status"] != "answered", body
    assert body["answer"] is None


@pytest.mark.parametrize(
    "question",
    [
        "what does a product owner do during sprint planning",
        "how much do data scientists earn compared to analysts",
        "ux designer career path",
    ],
)
def test_a_question_about_another_job_is_out_of_domain(client, question):
    body = ask(client, question)
    assert body["status"] == "out_of_domain", body
    assert body["answer"] is None and body["options"] == []


@pytest.mark.parametrize(
    "question",
    [
        "do developers or qa testers write the unit tests",  # one of ours beside it
        "as a data analyst, what does a devops engineer do all day?",  # the asker's own job
    ],
)
def test_another_job_beside_ours_or_as_framing_is_not_out_of_domain(client, question):
    assert ask(client, question)["status"] != "out_of_domain"


def test_out_of_domain_offers_no_suggestions(client):
    body = ask(client, "best pizza in naples")
    assert body["status"] == "out_of_domain"
    assert body["suggestions"] == [] and body["options"] == []


def test_every_answer_keeps_the_v1_fields(client):
    for question in ("what is sre", "how does the outer loop go", "best pizza in naples"):
        body = ask(client, question)
        assert body["status"] in STATUSES
        assert body["answered"] is (body["status"] == "answered")
        for name in ("confidence", "threshold", "answer", "alternatives", "related"):
            assert name in body
        assert set(body["related"]) == {"roles", "tools"}
        assert 0.0 <= body["confidence"] <= 1.0


def test_an_answer_from_another_entry_is_filled_generically(app, client):
    with app.test_request_context():
        found = retrieve(db.session, "pulumi", 1, collections=["tools"], semantic=False)[0]
        body = answer_body(found)
    assert body["question"] == found.passage.title
    assert body["answer"] == found.passage.text
    assert body["url"] == f"/v1/tools/{found.passage.slug}"
    entry = client.get(body["url"])
    assert (body["version"], body["etag"]) == (entry.json["version"], entry.headers["ETag"])


def passage(collection: str, slug: str, field: str, score: float):
    """A scored passage as retrieve() gives it, for the status rules alone."""
    from api.services.retrieval import Passage, ScoredPassage

    p = Passage(0, collection, slug, field, field, slug, "text", "text", "", 1, '"e"', [], {})
    return ScoredPassage(p, score, 0.5, 1.0, 1.0, 1.0, 1, 1, 1, 0.0)


def test_the_same_part_of_several_entries_is_ambiguous():
    model = answers.mode(False) | {"threshold": 0.0, "option_floor": 0.0}
    values = dict.fromkeys(answers.FEATURES, 0.0) | {"known": 1.0, "coverage": 1.0}
    roles = [
        passage("roles", "developer", "key_metric", 0.80),
        passage("roles", "devops-engineer", "key_metric", 0.79),
        passage("roles", "platform-engineer", "key_metric", 0.78),
        passage("faqs", "who-earns-more", "answer", 0.70),
    ]
    assert answers.decide(values, roles, model) == "ambiguous"
    options = answers.ambiguous_options(roles, model)
    slugs = [o.passage.slug for o in options]
    assert slugs == ["developer", "devops-engineer", "platform-engineer"]
    mixed = [roles[0], roles[3]]
    assert answers.decide(values, mixed, model) == "answered"
    assert answers.decide(values, mixed, model | {"threshold": 0.99}) == "no_match"
    unknown = values | {"known": 0.0}
    assert answers.decide(unknown, roles, model) == "out_of_domain"
    # a question that names the best entry asks about it, not about its neighbours
    assert answers.decide(values | {"named": 1.0}, roles, model) == "answered"
    # options only from the model's floor of confidence up
    assert answers.decide(values, roles, model | {"option_floor": 0.99}) == "answered"


@pytest.mark.parametrize("question", ["terraform, which role", "alerting with prometheus"])
def test_a_question_naming_a_tool_is_not_asked_back_which_tool(client, question):
    body = ask(client, question)
    assert body["status"] != "ambiguous" and body["options"] == [], body


def test_markdown_shows_the_status_and_the_citation(client):
    text = client.get(
        "/v1/answers", query_string={"q": "do devops folks even write code"}, headers=MARKDOWN
    ).get_data(as_text=True)
    assert "Status: **answered**" in text
    assert "Passage: </v1/faqs/do-devops-engineers-write-code#" in text
    off = client.get(
        "/v1/answers", query_string={"q": "best pizza in naples"}, headers=MARKDOWN
    ).get_data(as_text=True)
    assert "Status: **out_of_domain**" in off


def test_the_spec_shows_an_example_of_each_status(client):
    spec = client.get("/openapi.json").json
    content = spec["paths"]["/v1/answers"]["get"]["responses"]["200"]["content"]
    examples = content["application/json"]["examples"]
    assert {e["value"]["status"] for e in examples.values()} == STATUSES


def test_an_faqs_phrasings_are_its_question_and_its_examples(app, client):
    from api.services.phrasings import faq_phrasings

    with app.test_request_context():
        found = retrieve(db.session, "can developers do devops", 1, collections=["faqs"])[0]
    faq = client.get(f"/v1/faqs/{found.passage.slug}").json
    assert faq["examples"]
    assert faq_phrasings(found.passage) == [faq["question"], *faq["examples"]]


def numbered(n: int, collection: str, slug: str, score: float):
    """A scored passage with its own row, as retrieve() gives it."""
    from api.services.retrieval import Passage, ScoredPassage

    p = Passage(n, collection, slug, "answer", "answer", slug, "text", "text", "", 1, '"e"', [], {})
    return ScoredPassage(p, score, 0.5, 1.0, 1.0, 1.0, 1, 1, 1, 0.0)


def test_an_faq_whose_example_meets_the_question_leads_the_other_faqs():
    """example_gap: the share of the question's words the best FAQ's closest phrasing has,
    minus the best other FAQ's; 0 when the best passage is not an FAQ."""
    from api.services.phrasings import example_gap

    found = [numbered(0, "faqs", "a", 0.9), numbered(1, "faqs", "b", 0.8)]
    found.append(numbered(2, "roles", "developer", 0.7))
    phrasings = {
        0: [frozenset({"pipel", "break"}), frozenset({"deplo", "fails", "night"})],
        1: [frozenset({"pipel", "cost"})],
    }
    words = ("deploy", "fails", "night", "pipeline")
    assert example_gap(words, found, phrasings) == pytest.approx(3 / 4 - 1 / 4)
    assert example_gap(words, found[1:], phrasings) == pytest.approx(1 / 4)
    assert example_gap(words, found[2:], phrasings) == 0.0


def test_a_rambling_question_is_embedded_from_its_last_words(app):
    pytest.importorskip("numpy")
    if not app.config.get("SEMANTIC_SEARCH"):
        pytest.skip("words only: no question is embedded")
    from api.services.analysis import analyze, app_glossary
    from api.services.retrieval import QUESTION_WORDS, question_vector

    rambling = " ".join(["so basically my team is kind of stuck"] * 10)
    rambling += " who owns the terraform modules"
    with app.test_request_context():
        glossary = app_glossary()
        analysis = analyze(db.session, rambling, glossary)
        tail = " ".join(rambling.split()[-QUESTION_WORDS:])
        whole = question_vector(rambling, analysis)
        last = question_vector(tail, analyze(db.session, tail, glossary))
    assert len(rambling.split()) > QUESTION_WORDS
    assert float(whole @ last) == pytest.approx(1.0, abs=1e-6)


def test_the_model_reads_the_features_it_was_fitted_on():
    for semantic in (False, True):
        model = answers.mode(semantic)
        assert set(model["weights"]) <= set(answers.FEATURES)
        assert "cross_validation" in model["fit"]
        assert model["fit"]["at_threshold"]["wrong"] <= (0.02 if semantic else 0.05)
