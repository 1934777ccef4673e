"""Answers and passages show votes yet stay stored: until the next vote, in any instance."""

import time

import pytest

from api import create_app
from api.config import TestConfig

from .test_answer_feedback import ANSWERS, from_address, vote


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


def test_answers_and_passages_stay_stored_until_a_vote_in_any_instance(app):
    """Counts are not content: a vote must not change the content's generation, yet a stored
    answer showing counts must not outlive a vote, here or in another instance."""
    other = create_app(type("Other", (TestConfig,), {"DATABASE_URL": app.config["DATABASE_URL"]}))
    cache = other.extensions["representation_cache"]
    reader = other.test_client()
    url = "/v1/passages?q=who writes the runbooks&k=2"
    first = reader.get(url)
    assert "no-store" not in first.headers["Cache-Control"]
    hits = cache.hits
    assert reader.get(url).data == first.data
    assert cache.hits == hits + 1  # stored
    shown = first.json["passages"][0]
    voter = from_address(app.test_client(), "192.0.2.150")
    assert vote(voter, shown["answer_id"], True).status_code == 201
    deadline = time.monotonic() + 2  # PostgreSQL: the other instance hears it within ms
    while True:
        now = reader.get(url).json["passages"][0]
        if now["helpful"] == shown["helpful"] + 1 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert now["helpful"] == shown["helpful"] + 1
    hits = cache.hits
    assert reader.get(url).json["passages"][0]["helpful"] == now["helpful"]
    assert cache.hits == hits + 1  # stored again, until the next vote
    # Answers too; and the FAQ item's stored representation is kept through votes.
    answer = reader.get(ANSWERS).json
    item_url = answer["passage"]["url"].split("#")[0]
    reader.get(item_url)
    assert vote(voter, answer["answer_id"], False).status_code == 201
    deadline = time.monotonic() + 2
    while reader.get(ANSWERS).json["passage"]["not_helpful"] == answer["passage"]["not_helpful"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    hits = cache.hits
    reader.get(item_url)
    assert cache.hits == hits + 1
