"""Chat-style input is normal input (issue 12, section 3): filler does not count, real words
are not "corrected", long questions are accepted and their work is capped."""

import pytest
from sqlalchemy import text

from api.services.analysis import analyze, content_words, vocabulary
from api.services.words import FILLER, MAX_WORDS, english

_TERMS = text("SELECT term FROM search_terms WHERE term = :w")
PLAIN = "do devops engineers write code"
CHATTY = "tbh do devops ppl actually write code lol ngl fr pls u like"


def test_filler_counts_neither_for_nor_against_an_entry(session, client):
    assert {"tbh", "lol", "actually", "ppl", "like", "ngl", "fr", "pls", "u"} <= FILLER
    plain, chatty = analyze(session, PLAIN, {}), analyze(session, CHATTY, {})
    assert set(chatty.words) <= set(plain.words) | {"engineers"}
    assert not set(chatty.words) & FILLER
    # Filler left in the question would lower the share of its words an entry covers.
    for question in (PLAIN, "do devops engineers write code tbh lol ngl"):
        body = client.get("/v1/answers", query_string={"q": question}).json
        assert body["answer"]["slug"] == "do-devops-engineers-write-code", body
    padded = client.get("/v1/answers", query_string={"q": f"{PLAIN} tbh lol ngl fr"}).json
    bare = client.get("/v1/answers", query_string={"q": PLAIN}).json
    assert padded["confidence"] == pytest.approx(bare["confidence"], abs=0.05)


@pytest.mark.parametrize(("word", "typo_of"), [("reset", "rests"), ("manager", "manage")])
def test_real_english_words_are_never_corrected(session, word, typo_of):
    analysis = analyze(session, f"how do i {word} it as a {word}", {})
    known = {row for (row,) in session.execute(_TERMS, {"w": word})}
    if word not in known:
        # The old corrector, which knew only the index's words, would have replaced it.
        assert vocabulary(session).closest(session, word) == typo_of
    assert english(word)
    assert word not in analysis.corrections
    assert word in analysis.words


def test_misspellings_are_still_corrected(session):
    assert not english("kubernets")
    assert analyze(session, "kubernets", {}).corrections == {"kubernets": "kubernetes"}
    assert analyze(session, "terrafrom", {}).corrections == {"terrafrom": "terraform"}


def test_questions_up_to_2000_characters_are_answered(client):
    context = "We are a small team and I keep hearing different things from everyone. " * 30
    question = (context + "So do devops engineers write code?")[-2000:]
    assert 1900 < len(question) <= 2000
    response = client.get("/v1/answers", query_string={"q": question})
    assert response.status_code == 200, response.json
    assert response.json["query"] == question


def test_a_question_over_2000_characters_is_422(client):
    response = client.get("/v1/answers", query_string={"q": "x" * 2001})
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "q" in response.json["errors"]


def test_the_work_is_capped_not_the_question():
    words = " ".join(f"word{i}" for i in range(400))
    assert len(content_words(words)) == MAX_WORDS
    assert content_words(words)[:2] == ["word0", "word1"]
