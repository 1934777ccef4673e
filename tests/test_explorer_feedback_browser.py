"""The explorer's answer box sends feedback on the answer and shows the votes (in Chromium).

On a database of this module's own (votes are writes), served for real; the question is one
the live API answers, asked of it in the test.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .test_browser import Explorer, browser, open_explorer, served  # noqa: F401 (fixtures)
from .test_explorer_answers_browser import ask, first_with


@pytest.fixture(scope="module")
def site(writable_app) -> Iterator[str]:
    with served(writable_app) as origin:
        yield origin


@pytest.fixture
def explorer(browser, site) -> Iterator[Explorer]:  # noqa: F811
    opened = open_explorer(browser, site).loaded()
    yield opened
    opened.page.close()


def test_helpful_and_not_helpful_buttons_send_feedback_and_show_the_votes(explorer, writable_app):
    client = writable_app.test_client()
    question, _ = first_with(client, "answered")
    answer = ask(explorer, question)
    box = answer.locator(".feedback")
    votes = box.locator(".votes")
    expect(votes).to_have_text("0 found this helpful · 0 did not")
    expect(box.locator(".reasons")).to_be_hidden()
    page = explorer.page
    with page.expect_response(lambda r: r.url.endswith("/v1/answers/feedback")) as sent:
        box.get_by_role("button", name="No", exact=True).click()
    assert sent.value.status == 201
    expect(votes).to_have_text("0 found this helpful · 1 did not")
    expect(box.locator(".reasons")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/v1/answers/feedback")) as sent:
        box.get_by_role("button", name="Outdated").click()
    assert sent.value.status == 200  # the same client's vote, replaced with its reason
    expect(box.locator(".feedback-status")).to_have_text("Thanks: noted.")
    expect(box.locator(".reasons")).to_be_hidden()
    again = client.get("/v1/answers", query_string={"q": question}).json["passage"]
    assert again["not_helpful"] == 1
    # Changing one's mind replaces the vote: still one vote, now helpful.
    box.get_by_role("button", name="Yes").click()
    expect(votes).to_have_text("1 found this helpful · 0 did not")
    # Asked again, the answer shows the votes (its JSON is made per request, never stale).
    answer = ask(explorer, question)
    expect(answer.locator(".feedback .votes")).to_have_text("1 found this helpful · 0 did not")
    assert explorer.problems == []
