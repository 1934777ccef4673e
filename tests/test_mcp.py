"""The MCP server (`flask mcp`), driven by the MCP SDK's own client over both real transports.

The server runs as a subprocess on the shared seeded database; what its tools return is
checked against what the REST API answers in this process.
"""

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp_types.version import LATEST_HANDSHAKE_VERSION

from api.mcp_server import absolute

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
BASE_URL = "https://who-does-what.example"
TOOLS = {
    "search",
    "answer_question",
    "find_passages",
    "get_entry",
    "list_roles",
    "compare_roles",
    "send_feedback",
}
QUESTIONS = json.loads((ROOT / "tests" / "search_questions.json").read_text())
# A chatbot's kind of question, and the FAQ entry the search evaluation expects for it.
QUESTION, EXPECTED_FAQ = next(pair for pair in QUESTIONS if pair[0].startswith("do devops folks"))
PAIR = ["developer", "devops-engineer"]
# One-word questions, broad enough that some may be ambiguous (the test asks the API which).
BROAD_WORDS = ["metrics", "monitoring", "testing", "logs", "release", "tools", "incidents"]
HTTP_COMMAND = [FLASK, "--app", "api", "mcp", "--transport", "http", "--host", "127.0.0.1"]

CALLS = {
    "answer": ("answer_question", {"question": QUESTION}),
    "unanswered": ("answer_question", {"question": "best pizza in naples"}),
    "lasagne": ("answer_question", {"question": "best lasagne recipe"}),
    "passages": ("find_passages", {"query": "who owns the deployment pipeline", "k": 3}),
    "bad passages": ("find_passages", {"query": "kubernetes", "k": 0}),
    "search": ("search", {"query": "kubernets", "type": "tool", "limit": 3}),
    "empty search": ("search", {"query": ""}),
    "entry": ("get_entry", {"collection": "roles", "slug": "devops-engineer"}),
    "unknown slug": ("get_entry", {"collection": "roles", "slug": "no-such-role"}),
    "unknown collection": ("get_entry", {"collection": "wizards", "slug": "merlin"}),
    "roles": ("list_roles", {}),
    "compare": ("compare_roles", {"roles": PAIR}),
    "compare unknown": ("compare_roles", {"roles": ["developer", "no-such-role"]}),
}


def server_env(database_url: str) -> dict[str, str]:
    """The server's environment: the test run's database, and its search mode (a words-only
    run, SEMANTIC_SEARCH=0, must compare a words-only server with a words-only client)."""
    env = {"DATABASE_URL": database_url, "PUBLIC_BASE_URL": BASE_URL}
    if "SEMANTIC_SEARCH" in os.environ:
        env["SEMANTIC_SEARCH"] = os.environ["SEMANTIC_SEARCH"]
    return env


async def call_tools(session: ClientSession, calls: dict) -> tuple[list, dict]:
    """Initialize, list the tools, make the calls; a failed call is a result with is_error."""
    await session.initialize()
    tools = (await session.list_tools()).tools
    results = {label: await session.call_tool(name, args) for label, (name, args) in calls.items()}
    return tools, results


@pytest.fixture(scope="module")
def over_stdio(app, database_url, tmp_path_factory):
    """The tools and the CALLS' results, from one `flask mcp` session over stdio."""
    params = StdioServerParameters(
        command=FLASK, args=["--app", "api", "mcp"], env=server_env(database_url), cwd=ROOT
    )
    errlog_path = tmp_path_factory.mktemp("mcp") / "stdio-stderr.log"

    async def session() -> tuple[list, dict]:
        with errlog_path.open("w") as errlog:
            async with stdio_client(params, errlog=errlog) as streams, ClientSession(*streams) as c:
                return await call_tools(c, CALLS)

    tools, results = anyio.run(session)
    return {tool.name: tool for tool in tools}, results


def rest(client, path: str, **params):
    response = client.get(f"{path}?{urlencode(params)}" if params else path)
    return response.json, response.headers


def test_the_tools_are_listed_with_descriptions_and_schemas(over_stdio):
    tools, _ = over_stdio
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert "Example:" in tool.description, tool.name
        assert tool.input_schema["type"] == "object"
        assert tool.annotations.read_only_hint is (tool.name != "send_feedback")
    assert tools["send_feedback"].annotations.idempotent_hint is True
    assert tools["send_feedback"].input_schema["required"] == ["answer_id", "helpful"]
    assert tools["get_entry"].input_schema["required"] == ["collection", "slug"]
    assert "roles" in tools["get_entry"].input_schema["properties"]["collection"]["enum"]
    assert tools["compare_roles"].input_schema["properties"]["roles"]["type"] == "array"


def test_answer_question_gives_the_expected_faq_with_its_citation(over_stdio, client):
    result = over_stdio[1]["answer"]
    assert not result.is_error
    body = result.structured_content
    assert body["answered"] is True
    assert body["confidence"] >= body["threshold"]
    assert body["answer"]["slug"] == EXPECTED_FAQ
    faq, headers = rest(client, f"/v1/faqs/{EXPECTED_FAQ}")
    assert body["citation"] == {
        "url": f"{BASE_URL}/v1/faqs/{EXPECTED_FAQ}",
        "version": faq["version"],
        "etag": headers["ETag"],
    }
    assert body["answer"]["answer"] == faq["answer"]
    # The text a model reads says the same as the structured content.
    assert json.loads(result.content[0].text) == body
    # The status, and the cited passage: the entry's absolute URL with a fragment.
    expected, _ = rest(client, "/v1/answers", q=QUESTION)
    assert body["status"] == expected["status"] == "answered"
    assert body["message"].startswith("Answered")
    passage = body["passage"]
    assert passage["url"] == BASE_URL + expected["passage"]["url"]
    assert passage["url"].startswith(f"{BASE_URL}/v1/faqs/{EXPECTED_FAQ}#")
    assert (passage["version"], passage["etag"]) == (faq["version"], headers["ETag"])
    assert passage["text"] == expected["passage"]["text"]
    assert body["options"] == []


def test_an_unanswered_question_offers_suggestions_and_cites_the_request(over_stdio, client):
    body = over_stdio[1]["unanswered"].structured_content
    expected, headers = rest(client, "/v1/answers", q="best pizza in naples")
    assert (body["answered"], body["answer"]) == (False, None)
    assert [s["slug"] for s in body["suggestions"]] == [s["slug"] for s in expected["suggestions"]]
    assert body["citation"]["url"] == f"{BASE_URL}/v1/answers?q=best+pizza+in+naples"
    assert body["citation"]["etag"] == headers["ETag"]
    assert body["status"] == expected["status"] != "answered"
    assert body["passage"] is None


@pytest.mark.parametrize("label", ["unanswered", "lasagne"])
def test_a_question_not_covered_says_so_plainly(over_stdio, client, label):
    """no_match and out_of_domain come with a sentence telling the model not to invent."""
    question = CALLS[label][1]["question"]
    body = over_stdio[1][label].structured_content
    expected, _ = rest(client, "/v1/answers", q=question)
    assert body["status"] == expected["status"]
    if body["status"] == "no_match":
        assert body["message"].startswith("Not covered yet")
    elif body["status"] == "out_of_domain":
        assert body["message"].startswith("Out of domain")
        assert body["suggestions"] == []
    else:
        pytest.fail(f"{question!r} is {body['status']} now: pick another uncovered question")
    assert "do not" in body["message"]
    assert (body["answer"], body["passage"]) == (None, None)


def test_an_ambiguous_question_offers_the_options_with_absolute_urls(app, database_url, client):
    """A question the live API calls ambiguous (asked, not assumed): its options, cited."""
    candidates = [*BROAD_WORDS, *(q for q, _ in QUESTIONS)]
    question = next(
        (q for q in candidates if rest(client, "/v1/answers", q=q)[0]["status"] == "ambiguous"),
        None,
    )
    if question is None:
        pytest.skip("none of the candidate questions is ambiguous on this database")
    expected, _ = rest(client, "/v1/answers", q=question)
    params = StdioServerParameters(
        command=FLASK, args=["--app", "api", "mcp"], env=server_env(database_url), cwd=ROOT
    )

    async def session():
        async with stdio_client(params) as streams, ClientSession(*streams) as c:
            return await call_tools(c, {"q": ("answer_question", {"question": question})})

    body = anyio.run(session)[1]["q"].structured_content
    assert body["status"] == "ambiguous"
    assert body["message"].startswith("Ambiguous")
    assert 2 <= len(body["options"]) <= 4
    assert [o["url"] for o in body["options"]] == [BASE_URL + o["url"] for o in expected["options"]]
    assert all("#" in o["url"] and o["version"] and o["etag"] for o in body["options"])


def test_find_passages_gives_the_apis_passages_with_absolute_citations(over_stdio, client):
    body = over_stdio[1]["passages"].structured_content
    expected, headers = rest(client, "/v1/passages", q="who owns the deployment pipeline", k=3)
    assert body["passages"], "no passages"
    assert [p["id"] for p in body["passages"]] == [p["id"] for p in expected["passages"]]
    assert [p["url"] for p in body["passages"]] == [
        BASE_URL + p["url"] for p in expected["passages"]
    ]
    assert all("#" in p["url"] for p in body["passages"])
    assert [(p["version"], p["etag"]) for p in body["passages"]] == [
        (p["version"], p["etag"]) for p in expected["passages"]
    ]
    assert body["citation"] == {
        "url": f"{BASE_URL}/v1/passages?q=who+owns+the+deployment+pipeline&k=3",
        "version": None,
        "etag": headers["ETag"],
    }


def test_find_passages_with_a_bad_k_is_the_apis_problem(over_stdio):
    result = over_stdio[1]["bad passages"]
    assert result.is_error
    assert "422" in result.content[0].text


def test_search_returns_the_apis_hits_with_absolute_urls(over_stdio, client):
    body = over_stdio[1]["search"].structured_content
    expected, _ = rest(client, "/v1/search", q="kubernets", type="tool", page_size=3)
    assert body["hits"], "no hits"
    assert [h["slug"] for h in body["hits"]] == [h["slug"] for h in expected["hits"]]
    assert [h["url"] for h in body["hits"]] == [BASE_URL + h["url"] for h in expected["hits"]]
    assert body["corrections"] == expected["corrections"]
    assert body["citation"]["url"].startswith(f"{BASE_URL}/v1/search?q=kubernets")


def test_invalid_arguments_are_the_apis_problem_as_a_tool_error(over_stdio, client):
    result = over_stdio[1]["empty search"]
    problem, _ = rest(client, "/v1/search", q="")
    assert result.is_error
    assert problem["detail"] in result.content[0].text
    assert problem["errors"]["q"][0] in result.content[0].text


def test_get_entry_is_the_rest_representation_with_a_citation(over_stdio, client):
    body = over_stdio[1]["entry"].structured_content
    entry, headers = rest(client, "/v1/roles/devops-engineer")
    for field in ("slug", "version", "name", "summary", "focus", "key_metric"):
        assert body[field] == entry[field], field
    assert body["links"]["self"] == BASE_URL + entry["links"]["self"]
    assert body["citation"] == {
        "url": f"{BASE_URL}/v1/roles/devops-engineer",
        "version": entry["version"],
        "etag": headers["ETag"],
    }


def test_get_entry_of_an_unknown_slug_is_a_tool_error_with_the_problem_detail(over_stdio, client):
    result = over_stdio[1]["unknown slug"]
    problem, _ = rest(client, "/v1/roles/no-such-role")
    assert result.is_error
    assert result.structured_content is None
    assert problem["detail"] in result.content[0].text


def test_get_entry_of_an_unknown_collection_lists_the_collections(over_stdio):
    result = over_stdio[1]["unknown collection"]
    assert result.is_error
    assert "'wizards'" in result.content[0].text
    assert "roles" in result.content[0].text and "faqs" in result.content[0].text


def test_list_roles_gives_every_role_with_url_and_version(over_stdio, client):
    body = over_stdio[1]["roles"].structured_content
    expected, headers = rest(client, "/v1/roles", page_size=100)
    assert body["total"] == int(headers["X-Total-Count"]) == len(body["roles"])
    assert [r["slug"] for r in body["roles"]] == [r["slug"] for r in expected]
    for role, listed in zip(body["roles"], expected, strict=True):
        assert role["url"] == f"{BASE_URL}/v1/roles/{listed['slug']}"
        assert role["version"] == listed["version"]


def test_compare_roles_has_the_matrix_of_both_roles(over_stdio, client):
    body = over_stdio[1]["compare"].structured_content
    expected, headers = rest(client, "/v1/compare", roles=",".join(PAIR))
    assert [r["slug"] for r in body["roles"]] == PAIR
    assert [r["url"] for r in body["roles"]] == [f"{BASE_URL}/v1/roles/{s}" for s in PAIR]
    # The tool makes the API's relative URLs (the cells' sources) absolute, ready to cite.
    assert body["matrix"] == absolute(expected["matrix"], BASE_URL)
    assert body["matrix"] and all(set(row["values"]) == set(PAIR) for row in body["matrix"])
    assert body["citation"]["etag"] == headers["ETag"]


def test_compare_with_an_unknown_role_is_a_tool_error_naming_it(over_stdio):
    result = over_stdio[1]["compare unknown"]
    assert result.is_error
    assert "no-such-role" in result.content[0].text


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def test_over_stdio_stdout_carries_the_protocol_only_and_logs_go_to_stderr(app, database_url):
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": LATEST_HANDSHAKE_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "answer_question", "arguments": {"question": QUESTION}},
        },
    ]
    process = subprocess.Popen(
        [FLASK, "--app", "api", "mcp"],
        cwd=ROOT,
        env={**os.environ, **server_env(database_url)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        for message in messages:
            process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()
        stdout = []
        while not any(json.loads(line).get("id") == 2 for line in stdout if line.startswith("{")):
            stdout.append(lines.get(timeout=60))
        process.stdin.close()
        process.wait(timeout=30)
    finally:
        process.kill()
    stderr = process.stderr.read()
    while not lines.empty():
        stdout.append(lines.get())
    replies = [json.loads(line) for line in stdout]  # a stray non-JSON line fails here
    assert all(reply["jsonrpc"] == "2.0" for reply in replies)
    assert replies[-1]["result"]["structuredContent"]["answer"]["slug"] == EXPECTED_FAQ
    access = [json.loads(line) for line in stderr.splitlines() if '"api.access"' in line]
    assert [line["path"] for line in access] == ["/v1/answers"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def http_url(app, database_url, tmp_path_factory):
    """`flask mcp --transport http` on a free port; yields its MCP endpoint."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("mcp-http") / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*HTTP_COMMAND, "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **server_env(database_url)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def http_session(url: str, calls: dict) -> tuple[list, dict]:
    async with streamable_http_client(url) as streams, ClientSession(*streams) as client:
        return await call_tools(client, calls)


def test_streamable_http_serves_the_same_tools_and_answers(http_url, client):
    calls = {label: CALLS[label] for label in ("entry", "compare", "compare unknown")}
    tools, results = anyio.run(http_session, http_url, calls)
    assert {tool.name for tool in tools} == TOOLS
    entry, headers = rest(client, "/v1/roles/devops-engineer")
    cited = results["entry"].structured_content["citation"]
    assert (cited["version"], cited["etag"]) == (entry["version"], headers["ETag"])
    assert results["compare"].structured_content["matrix"]
    assert results["compare unknown"].is_error
    assert "no-such-role" in results["compare unknown"].content[0].text


def test_streamable_http_serves_sessions_side_by_side(http_url):
    calls = {"answer": CALLS["answer"]}
    answers = []

    async def sessions(count: int) -> None:
        async def one() -> None:
            answers.append((await http_session(http_url, calls))[1]["answer"])

        async with anyio.create_task_group() as group:
            for _ in range(count):
                group.start_soon(one)

    anyio.run(sessions, 3)
    assert [a.structured_content["answer"]["slug"] for a in answers] == [EXPECTED_FAQ] * 3


def test_send_feedback_votes_on_an_answer_it_gave_once_per_client(writable_app):
    """On a database of this module's own: votes are writes. The stdio server is one client:
    its second vote on an answer replaces its first."""
    database_url = writable_app.config["DATABASE_URL"]
    params = StdioServerParameters(
        command=FLASK, args=["--app", "api", "mcp"], env=server_env(database_url), cwd=ROOT
    )

    async def session() -> dict:
        async with stdio_client(params) as streams, ClientSession(*streams) as c:
            await c.initialize()
            answer = await c.call_tool("answer_question", {"question": QUESTION})
            answer_id = answer.structured_content["answer_id"]
            calls = {
                "first": {"answer_id": answer_id, "helpful": False, "reason": "outdated"},
                "again": {"answer_id": answer_id, "helpful": True},
                "forged": {"answer_id": answer_id[:-4] + "AAAA", "helpful": True},
                "bad reason": {"answer_id": answer_id, "helpful": False, "reason": "meh"},
            }
            results = {k: await c.call_tool("send_feedback", v) for k, v in calls.items()}
            return {"answer": answer, **results}

    results = anyio.run(session)
    first, again = results["first"].structured_content, results["again"].structured_content
    assert not results["first"].is_error
    assert first["replaced"] is False and first["counts"] == {"helpful": 0, "not_helpful": 1}
    assert again["replaced"] is True and again["counts"] == {"helpful": 1, "not_helpful": 0}
    assert first["passage_id"] == results["answer"].structured_content["passage"]["id"]
    assert results["forged"].is_error
    assert "422" in results["forged"].content[0].text
    assert "answer_id" in results["forged"].content[0].text
    assert results["bad reason"].is_error
