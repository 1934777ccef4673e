"""The explorer's answer box follows /v1/answers' `status` (in Chromium).

Which question gets which status is asked of the live API in the test, never assumed: the
UI must show what the API said (a cited passage, "Did you mean…" options, "Not covered yet",
or "outside what this knowledge base covers").
"""

import pytest
from playwright.sync_api import expect

from .test_browser import browser, explorer, site  # noqa: F401 (fixtures)

# Candidates for each status; the test keeps the first the API really gives that status.
CANDIDATES = {
    "answered": ["kubernetes", "what does a developer do", "code review"],
    "ambiguous": ["metrics", "monitoring", "testing", "logs", "release", "tools", "incidents"],
    "no_match": ["logs", "release", "monitoring", "metrics", "testing", "incidents"],
    "out_of_domain": ["best lasagne recipe", "how do I bake bread", "best pizza in naples"],
}


def first_with(client, status: str) -> tuple[str, dict]:
    for question in CANDIDATES[status]:
        body = client.get("/v1/answers", query_string={"q": question}).json
        if body["status"] == status:
            return question, body
    pytest.skip(f"no candidate question is {status} on this database")


def ask(explorer, question: str):  # noqa: F811
    page = explorer.page
    box = page.get_by_role("combobox", name="Your question")
    box.fill(question)
    with page.expect_response(lambda response: "/v1/answers?" in response.url):
        page.get_by_role("button", name="Ask").click()
    return page.locator("#answer")


def test_an_answered_question_shows_the_passage_with_its_fragment_link(explorer, client):  # noqa: F811
    question, body = first_with(client, "answered")
    answer = ask(explorer, question)
    view = answer.locator(".faq")
    expect(view.locator("h3")).to_have_text(body["answer"]["question"])
    expect(view).to_contain_text(body["passage"]["text"])
    url = body["passage"]["url"]
    assert "#" in url
    link = view.get_by_role("link", name=url, exact=True)
    expect(link).to_have_attribute("href", url)
    expect(view.locator(".meta")).to_contain_text(f"version {body['passage']['version']}")
    expect(answer.locator(".no-answer")).to_have_count(0)
    assert explorer.problems == []


def test_an_ambiguous_question_offers_did_you_mean_buttons(explorer, client):  # noqa: F811
    question, body = first_with(client, "ambiguous")
    answer = ask(explorer, question)
    expect(answer.locator(".no-answer")).to_have_text("Did you mean…")
    buttons = answer.locator("ul.options").get_by_role("button")
    expect(buttons).to_have_text([option["title"] for option in body["options"]])
    expect(answer.locator(".chosen .passage")).to_have_count(0)
    option = body["options"][-1]
    buttons.last.click()
    chosen = answer.locator(".chosen .passage")
    expect(chosen.locator("h3")).to_have_text(option["title"])
    expect(chosen).to_contain_text(option["text"])
    expect(chosen.get_by_role("link", name=option["url"], exact=True)).to_have_attribute(
        "href", option["url"]
    )
    expect(buttons.last).to_have_attribute("aria-pressed", "true")
    # Another option replaces it.
    buttons.first.click()
    expect(chosen.locator("h3")).to_have_text(body["options"][0]["title"])
    assert explorer.problems == []


def test_a_question_not_covered_yet_says_so(explorer, client):  # noqa: F811
    question, body = first_with(client, "no_match")
    answer = ask(explorer, question)
    expect(answer.locator(".no-answer")).to_have_text(
        "Not covered yet: nothing in this knowledge base answers that."
    )
    expect(answer.locator(".faq")).to_have_count(0)
    if body["suggestions"]:
        expect(answer.locator("ul.hits > li")).to_have_count(len(body["suggestions"]))
    assert explorer.problems == []


def test_an_out_of_domain_question_says_it_is_outside_the_knowledge_base(explorer, client):  # noqa: F811
    question, _ = first_with(client, "out_of_domain")
    answer = ask(explorer, question)
    expect(answer.locator(".no-answer")).to_have_text(
        "That's outside what this knowledge base covers."
    )
    expect(answer.locator(".faq")).to_have_count(0)
    expect(answer.locator("ul.hits")).to_have_count(0)
    assert explorer.problems == []
