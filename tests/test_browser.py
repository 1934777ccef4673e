"""The explorer (/) in a real browser: Debian's Chromium driven by Playwright, over real HTTP.

The seeded app is served by a werkzeug server on a free port of 127.0.0.1; the page reads only
the public API, as any frontend would. Expected texts come from seed/ and
tests/search_questions.json, never from the page's own code. A second origin checks CORS
from the browser's side: which response headers a page of another origin may read.

Chromium must be there: when /usr/bin/chromium is missing, root installs it with apt-get and
anyone else gets a failure that says how (CI must run these tests, never skip them).
"""

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from api import create_app
from api.config import TestConfig
from api.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}


def seed(name: str) -> list[dict]:
    return json.loads((ROOT / "seed" / f"{name}.json").read_text())


def by_slug(name: str) -> dict[str, dict]:
    return {entry["slug"]: entry for entry in seed(name)}


def ensure_chromium() -> None:
    """Install Debian's Chromium when it is missing and we are root; otherwise fail loudly."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0:
        pytest.fail(
            f"{CHROMIUM} is missing and only root can install it: "
            "run `sudo apt-get update && sudo apt-get install -y chromium`."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` failed:\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing.")


@contextmanager
def served(wsgi_app) -> Iterator[str]:
    """Serve a WSGI app over HTTP on a free port of 127.0.0.1, in a thread; yield its origin."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ensure_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(app) -> Iterator[str]:
    """The shared seeded app (CORS allows only https://app.example), served for real."""
    with served(app) as origin:
        yield origin


@dataclass
class Explorer:
    """An open explorer page, with what went wrong in it and what it fetched."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def loaded(self) -> "Explorer":
        expect(self.page.locator("table.matrix")).to_be_visible()
        expect(self.page.locator("details.category").first).to_be_visible()
        return self


def open_explorer(browser: Browser, site: str, viewport: dict | None = None) -> Explorer:
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    explorer = Explorer(page)
    page.on(
        "console",
        lambda message: (
            explorer.problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: explorer.problems.append(f"page error: {error}"))
    response = page.goto(f"{site}/")
    assert response is not None and response.status == 200
    return explorer


@pytest.fixture
def explorer(browser, site) -> Iterator[Explorer]:
    opened = open_explorer(browser, site).loaded()
    yield opened
    opened.page.close()


def test_page_loads_under_its_csp_without_console_errors(browser, site):
    explorer = open_explorer(browser, site)
    header = explorer.page.request.get(f"{site}/").headers["content-security-policy"]
    csp = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
    assert csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    explorer.loaded()
    expect(explorer.page).to_have_title("Who Does What: explorer")
    expect(explorer.page.locator("#tools-status")).to_have_class("status")  # not an error
    assert explorer.problems == []
    explorer.page.close()


def test_comparison_of_developer_and_devops_engineer(explorer):
    roles = by_slug("roles")
    page = explorer.page
    expect(page.locator("#role-a")).to_have_value("developer")
    page.select_option("#role-b", "devops-engineer")
    matrix = page.locator("table.matrix")
    for slug in ("developer", "devops-engineer"):
        expect(matrix.locator("td", has_text=roles[slug]["output"])).to_be_visible()
        expect(matrix.locator("td", has_text=roles[slug]["pain_points"])).to_be_visible()
    tools = seed("tools")
    shared = sorted(t["name"] for t in tools if {"developer", "devops-engineer"} <= set(t["roles"]))
    tools_shared = page.locator(".overlap", has=page.locator("h3", has_text="Tools")).locator(
        ".column"
    )
    items = tools_shared.first.locator("li")
    expect(items).to_have_count(len(shared))
    assert sorted(items.all_inner_texts()) == shared
    assert explorer.problems == []


def test_comparison_names_the_source_of_each_cell(explorer):
    roles = by_slug("roles")
    page = explorer.page
    page.select_option("#role-b", "platform-engineer")
    matrix = page.locator("table.matrix")
    article = matrix.locator("td", has_text=roles["platform-engineer"]["output"])
    expect(article.locator(".cited")).to_contain_text("8. SRE vs. Platform Engineering vs. DevOps")
    expect(article).not_to_have_class("editorial")
    # A cell the articles do not give: written by the editors, shown as theirs, in italics.
    ours = matrix.locator("td", has_text=roles["platform-engineer"]["pain_points"])
    expect(ours).to_have_class("editorial")
    expect(ours.locator(".cited a")).to_have_text("our editors (general knowledge)")
    expect(ours.locator(".cited a")).to_have_attribute("href", "/v1/resources/editorial")
    assert ours.locator(".value").evaluate("node => getComputedStyle(node).fontStyle") == "italic"
    assert explorer.problems == []


def test_comparison_revalidates_with_the_etag_it_kept(explorer, site):
    page = explorer.page
    path = "/v1/compare?roles=developer,devops-engineer"
    page.select_option("#role-b", "devops-engineer")
    expect(page.locator("#compare-result .source")).to_have_text(f"From {path}")
    other = next(slug for slug in by_slug("roles") if slug not in ("developer", "devops-engineer"))
    with page.expect_response(lambda response: other in response.url) as elsewhere:
        page.select_option("#role-b", other)
    assert elsewhere.value.status == 200
    assert elsewhere.value.request.header_value("if-none-match") is None  # never seen before
    expect(page.locator("#compare-result .source")).to_contain_text(other)
    with page.expect_response(lambda response: path in response.url) as again:
        page.select_option("#role-b", "devops-engineer")
    assert again.value.status == 304
    etag = page.request.get(f"{site}{path}").headers["etag"]
    assert again.value.request.header_value("if-none-match") == etag
    # The body kept from the first answer is shown again.
    expect(page.locator("#compare-result .source")).to_have_text(f"From {path}")
    devops_output = by_slug("roles")["devops-engineer"]["output"]
    expect(page.locator("table.matrix td", has_text=devops_output)).to_be_visible()
    assert explorer.problems == []


def test_same_role_twice_asks_for_two(explorer):
    page = explorer.page
    page.select_option("#role-b", "developer")
    expect(page.locator("#compare-status")).to_have_text(
        "Pick two different roles to compare them."
    )
    expect(page.locator("table.matrix")).to_have_count(0)


FAQ_SLUG = "do-devops-engineers-write-code"


def known_question() -> tuple[str, dict]:
    """A user's question from tests/search_questions.json and the FAQ entry that answers it."""
    pairs = json.loads((ROOT / "tests" / "search_questions.json").read_text())
    question = next(q for q, slug in pairs if slug == FAQ_SLUG)
    return question, by_slug("faqs")[FAQ_SLUG]


def half_typed(question: str) -> str:
    """The question as typed so far: up to the first two letters of its second-last word."""
    *head, word, _last = question.split()
    return " ".join([*head, word[:2]])


def test_search_suggests_while_typing_and_answers_from_the_right_faq(explorer):
    question, faq = known_question()
    page = explorer.page
    box = page.get_by_role("combobox", name="Your question")
    box.press_sequentially(half_typed(question), delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.fill(question)
    box.press("Enter")
    answer = page.locator("#answer .faq")
    expect(answer.locator("h3")).to_have_text(faq["question"])
    expect(answer).to_contain_text(faq["answer"])
    expect(answer.get_by_role("link", name=f"/v1/faqs/{faq['slug']}")).to_be_visible()
    expect(listbox).to_be_hidden()  # a late suggestion does not cover the answer

    # Asking again revalidates: 304, and the kept answer is shown.
    with page.expect_response(lambda response: "/v1/answers?" in response.url) as again:
        page.get_by_role("button", name="Ask").click()
    assert again.value.status == 304
    assert again.value.request.header_value("if-none-match")
    expect(answer.locator("h3")).to_have_text(faq["question"])
    assert explorer.problems == []


def test_a_suggestion_is_picked_with_the_keyboard(explorer):
    question, faq = known_question()
    page = explorer.page
    box = page.get_by_role("combobox", name="Your question")
    box.press_sequentially(half_typed(question), delay=40)
    options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
    expect(options.first).to_be_visible()
    wanted = options.filter(has_text=faq["question"])
    expect(wanted).to_have_count(1)
    while wanted.get_attribute("aria-selected") != "true":
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant")
    box.press("Enter")
    expect(page.locator("#answer .faq h3")).to_have_text(faq["question"])
    expect(page.locator("#answer .faq")).to_contain_text(faq["answer"])
    expect(page.locator("#answer .source")).to_have_text(f"From /v1/faqs/{FAQ_SLUG}")
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_hidden()
    assert explorer.problems == []


def test_tools_are_grouped_by_category(explorer):
    tools = seed("tools")
    categories = {tool["category"] for tool in tools}
    page = explorer.page
    groups = page.locator("details.category")
    expect(groups).to_have_count(len(categories))
    expect(page.locator("#tools-status")).to_have_text(
        f"{len(tools)} tools in {len(categories)} categories."
    )
    for category in categories:
        names = sorted(tool["name"] for tool in tools if tool["category"] == category)
        group = page.locator(f'details.category[data-category="{category}"]')
        shown = group.locator(".names").inner_text().split(", ")
        assert sorted(shown) == names, category
    largest = max(categories, key=lambda c: sum(t["category"] == c for t in tools))
    group = page.locator(f'details.category[data-category="{largest}"]')
    group.locator("summary").focus()
    page.keyboard.press("Enter")  # a disclosure opens from the keyboard
    tool = next(t for t in tools if t["category"] == largest)
    expect(group.locator(".card", has_text=tool["name"])).to_contain_text(tool["summary"])


def test_phone_width_has_no_horizontal_overflow_and_tab_reaches_the_controls(browser, site):
    explorer = open_explorer(browser, site, PHONE).loaded()
    page = explorer.page
    reached = []
    while "question" not in reached and len(reached) < 200:
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        )
    for control in ("role-a", "role-b", "question"):
        assert control in reached, reached
    assert reached.index("role-a") < reached.index("role-b") < reached.index("question")
    page.locator("#role-a").focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible

    page.locator("details.category summary").first.click()
    page.get_by_role("combobox", name="Your question").fill(known_question()[0])
    page.keyboard.press("Enter")
    expect(page.locator("#answer .faq")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal overflow at 375px"
    first, second = (page.locator(f"#role-{x}").bounding_box() for x in "ab")
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 1  # one column
    page.screenshot(path=str(screenshot_path("explorer-phone.png")), full_page=True)
    assert explorer.problems == []
    page.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


def test_screenshot(explorer):
    """build/screenshots/explorer.png: the page with a comparison, an answer and open tools."""
    page = explorer.page
    question, faq = known_question()
    page.get_by_role("combobox", name="Your question").fill(question)
    page.get_by_role("button", name="Ask").click()
    expect(page.locator("#answer .faq h3")).to_have_text(faq["question"])
    page.locator("details.category summary").first.click()
    path = screenshot_path("explorer.png")
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 50_000


# CORS, seen by a page of another origin

PROBE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>probe</title>
<script src="/probe.js" defer></script></head><body><pre id="result"></pre></body></html>
"""

# Reads a list cross-origin, then again with If-None-Match (a preflighted request).
PROBE_SCRIPT = """
async function probe(api) {
  const url = api + "/v1/roles?page_size=2";
  const seen = {};
  try {
    const first = await fetch(url);
    seen.status = first.status;
    for (const name of ["ETag", "Link", "X-Total-Count"]) seen[name] = first.headers.get(name);
    await first.json();
    const again = await fetch(url, { headers: { "If-None-Match": seen.ETag || '"none"' } });
    seen.revalidated = again.status;
  } catch (error) {
    seen.error = error.name;
  }
  return seen;
}
const api = new URLSearchParams(location.search).get("api");
probe(api).then((seen) => {
  const result = document.getElementById("result");
  result.textContent = JSON.stringify(seen);
  result.dataset.done = "yes";
});
"""


@Request.application
def probe_site(request: Request) -> Response:
    if request.path == "/probe.js":
        return Response(PROBE_SCRIPT, mimetype="text/javascript")
    return Response(PROBE_PAGE, mimetype="text/html")


def probe(browser: Browser, probe_origin: str, api_origin: str) -> dict:
    page = browser.new_page()
    page.goto(f"{probe_origin}/?api={api_origin}")
    result = page.locator("#result[data-done]")
    expect(result).to_be_attached()
    seen = json.loads(result.inner_text())
    page.close()
    return seen


@pytest.fixture(scope="module")
def probe_origin() -> Iterator[str]:
    with served(probe_site) as origin:
        yield origin


def test_cors_lets_an_allowed_origin_read_the_headers(app, browser, probe_origin):
    allowed = create_app(
        type(
            "AllowProbe",
            (TestConfig,),
            {"DATABASE_URL": app.config["DATABASE_URL"], "CORS_ORIGINS": [probe_origin]},
        )
    )
    with served(allowed) as api_origin:
        seen = probe(browser, probe_origin, api_origin)
    with allowed.app_context():
        db.engine.dispose()
    assert seen.get("error") is None, seen
    assert seen["status"] == 200
    assert seen["ETag"] and seen["ETag"].startswith('"')
    assert 'rel="first"' in seen["Link"]
    assert int(seen["X-Total-Count"]) == len(seed("roles"))
    assert seen["revalidated"] == 304  # If-None-Match passed the preflight


def test_cors_keeps_other_origins_out(browser, site, probe_origin):
    seen = probe(browser, probe_origin, site)
    assert seen == {"error": "TypeError"}
