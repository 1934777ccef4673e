"""An MCP server for chatbots: read-only tools that answer from this API's own endpoints.

Every tool makes one GET to the app in process (through its test client; send_feedback, in
api/mcp_feedback.py, one POST), so a tool says
exactly what the REST API says: the same validation, the same answers, and the same
problem+json errors, which become tool errors carrying the problem's detail. Every result
has a `citation` (the canonical absolute URL under PUBLIC_BASE_URL, the entry's version,
the ETag), and the API's relative `url`s and `links` in it are made absolute, ready to cite.
"""

import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from flask import Flask
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from schemas.passages import K_MAX
from schemas.search import TYPES

from . import urls
from .mcp_feedback import add_feedback_tool
from .registry import BY_NAME

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

INSTRUCTIONS = """\
Who Does What is a knowledge base about the people who build and run software: roles \
(software developer, DevOps engineer, ...), their responsibilities, tools, metrics, \
workflows, schedules, practices and an FAQ. For a user's question, call answer_question \
first and follow its `status`: `answered` (quote the `passage`, cite its `url`), \
`ambiguous` (ask which of the `options` the user means), `no_match` or `out_of_domain` \
(say the knowledge base does not cover it; never invent an answer). find_passages gives \
citable passages to ground a longer reply; search, then get_entry, finds and reads whole \
entries. Use list_roles for the role slugs and compare_roles to set roles side by side. Base your \
reply on what the tools return and cite `citation.url` (with its version) for what you use. \
Every tool is read-only but send_feedback: when the user says whether an answer helped, send \
its `answer_id` with helpful true or false (and a reason)."""


@dataclass(frozen=True)
class Reply:
    """One successful answer of the API: its JSON body, ETag, total and absolute URL."""

    body: Any
    etag: str | None
    total: int | None
    url: str


def absolute(value: Any, base: str, key: str = "") -> Any:
    """`value` with the relative `url`s, and everything under `links`, prefixed by `base`."""
    if isinstance(value, dict):
        return {k: absolute(v, base, "links" if key == "links" else k) for k, v in value.items()}
    if isinstance(value, list):
        return [absolute(item, base, key) for item in value]
    if isinstance(value, str) and key in ("url", "links") and value.startswith("/"):
        return base + value
    return value


def problem_message(status: int, problem: Any) -> str:
    """A problem+json body as one line for the model: status, title, detail and field errors."""
    if not isinstance(problem, dict):
        return f"The API answered {status}."
    message = f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip()
    if problem.get("errors"):
        message += f" Errors: {json.dumps(problem['errors'], ensure_ascii=False)}"
    return message


class InProcessApi:
    """GETs to the app's own HTTP API, in process; an error answer raises a ToolError."""

    def __init__(self, app: Flask):
        self.app = app
        self.base = app.config["PUBLIC_BASE_URL"].rstrip("/")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        target = f"{path}?{query}" if query else path
        response = self.app.test_client().get(target, headers={"Accept": "application/json"})
        body = response.get_json(silent=True)
        if response.status_code >= 400:
            raise ToolError(problem_message(response.status_code, body))
        total = response.headers.get("X-Total-Count")
        return Reply(
            body=absolute(body, self.base),
            etag=response.headers.get("ETag"),
            total=int(total) if total is not None else None,
            url=self.base + target,
        )

    def entry_url(self, collection: str, slug: str) -> str:
        return self.base + urls.entry_url(collection, quote(slug, safe=""))


def citation(url: str, version: int | None = None, etag: str | None = None) -> dict[str, Any]:
    """What a chatbot cites: where the content lives, and which version of it was read."""
    return {"url": url, "version": version, "etag": etag}


# What answer_question tells the model to do for each `status` of /v1/answers.
STATUS_MESSAGES = {
    "answered": "Answered: quote or paraphrase `passage.text` and cite `passage.url` "
    "(with its version).",
    "ambiguous": "Ambiguous: several passages fit. Ask the user which one they mean "
    "(did you mean...?), offering the `options` by title; do not pick one yourself.",
    "no_match": "Not covered yet: this knowledge base has no answer to this question. Say so "
    "plainly and do not invent an answer; the `suggestions` are related entries at best.",
    "out_of_domain": "Out of domain: the question is outside what this knowledge base covers "
    "(the people who build and run software). Say so plainly and do not answer it from "
    "this knowledge base.",
}


def build_mcp_server(app: Flask) -> MCPServer:
    """The MCP server for `app`: six read-only tools over its HTTP API, and send_feedback."""
    api = InProcessApi(app)
    server = MCPServer(
        name="who-does-what",
        title="Who Does What",
        instructions=INSTRUCTIONS,
        website_url=api.base,
        version=app.config["API_VERSION"],
        # The SDK takes the canonical names only (WARNING, not WARN).
        log_level=logging.getLevelName(logging.getLevelName(app.config["LOG_LEVEL"].upper())),
    )
    collections = ", ".join(BY_NAME)

    @server.tool(title="Search the knowledge base", annotations=READ_ONLY)
    def search(
        query: Annotated[
            str, Field(description="Words or the question as the user typed it (1-256 chars).")
        ],
        type: Annotated[
            str | None,
            Field(description=f"Only these types, comma-separated: {', '.join(TYPES)}."),
        ] = None,
        role: Annotated[
            str | None, Field(description="Only entries about this role (a role slug).")
        ] = None,
        limit: Annotated[int, Field(description="How many hits, 1 to 100.")] = 10,
    ) -> dict[str, Any]:
        """Full-text search across every collection, best hits first.

        Returns `total`, `facets` (matches per type), `corrections` (misspelt words and
        what was searched instead) and `hits`, each with `type`, `slug`, `title`, a
        `snippet` with <mark>ed words, `score` and the absolute `url` of the entry. Use it
        when answer_question is not sure, or to find entries (tools, metrics, workflows...)
        to read in full with get_entry(collection, slug); the collection is the plural of
        the hit's `type` (tool -> tools). Typos, abbreviations (k8s, IaC, MTTR) and whole
        questions are fine. Example: search(query="kubernetes", type="tool", limit=3).
        """
        reply = api.get("/v1/search", {"q": query, "type": type, "role": role, "page_size": limit})
        return {**reply.body, "citation": citation(reply.url, etag=reply.etag)}

    @server.tool(title="Answer a question", annotations=READ_ONLY)
    def answer_question(
        question: Annotated[
            str, Field(description="The user's question, as typed (1-2,000 characters).")
        ],
    ) -> dict[str, Any]:
        """The best passage answering a question about roles, tools or practices, with a status.

        Call it first for any question a user asks, and follow `status` (`message` says
        what to do in one sentence):
        - `answered`: `passage` is the answer: its `text`, and its citation `url` (the
          entry's absolute URL with a #fragment naming the passage), `version`, `etag` and
          `sources`; `answer` has the same as the FAQ's `question` and `answer`. Cite
          `passage.url`; `citation` is the entry's URL, version and ETag.
        - `ambiguous`: `options` holds 2 to 4 passages (each with `title`, `text`, `url`);
          ask the user "did you mean..." with their titles instead of choosing.
        - `no_match`: the knowledge base does not cover it yet; say so and do not invent
          an answer (the `suggestions` are only related search hits).
        - `out_of_domain`: not what this knowledge base is about; say so.
        `confidence` (0 to 1) says how sure the best passage is.
        Example: answer_question(question="do devops folks even write code?").
        """
        reply = api.get("/v1/answers", {"q": question})
        answer = reply.body.get("answer")
        if answer:
            cited = citation(answer["url"], answer["version"], answer["etag"])
        else:
            cited = citation(reply.url, etag=reply.etag)
        message = STATUS_MESSAGES.get(reply.body.get("status"), "")
        return {**reply.body, "message": message, "citation": cited}

    @server.tool(title="Find citable passages", annotations=READ_ONLY)
    def find_passages(
        query: Annotated[
            str, Field(description="The question or words as typed (1-2,000 characters).")
        ],
        k: Annotated[int, Field(description=f"How many passages, 1 to {K_MAX}.")] = 5,
        type: Annotated[
            str | None,
            Field(description=f"Only these types, comma-separated: {', '.join(TYPES)}."),
        ] = None,
        role: Annotated[
            str | None, Field(description="Only passages about this role (a role slug).")
        ] = None,
    ) -> dict[str, Any]:
        """The `k` passages that best answer a question, best first, each ready to cite.

        Use it to ground a reply in several passages (an FAQ answer, a cell of a role's
        matrix, a tool with its roles, a metric with its owners, a workflow stage...),
        or when answer_question is not sure. Each passage has `title`, `text` to quote,
        a `score`, and its citation: `url` (absolute, with a #fragment naming the
        passage), `version`, `etag` and `sources`. Cite `url` for what you use.
        Example: find_passages(query="who owns the deployment pipeline", k=3).
        """
        reply = api.get("/v1/passages", {"q": query, "k": k, "type": type, "role": role})
        return {**reply.body, "citation": citation(reply.url, etag=reply.etag)}

    @server.tool(title="Read one entry", annotations=READ_ONLY)
    def get_entry(
        collection: Annotated[
            str,
            Field(
                description=f"The collection: {collections}.",
                json_schema_extra={"enum": list(BY_NAME)},
            ),
        ],
        slug: Annotated[str, Field(description="The entry's slug, e.g. from a search hit.")],
    ) -> dict[str, Any]:
        """One entry in full: every field, its `version` and `links` to related entries.

        Use it to read what a search hit, answer or comparison points to before relying
        on it. A role has its focus, output, philosophy, key metric, core tooling and
        daily activity; a tool, metric, workflow or FAQ entry has its own fields. An
        unknown collection or slug is an error that says what exists.
        Example: get_entry(collection="roles", slug="devops-engineer").
        """
        if collection not in BY_NAME:
            raise ToolError(f"No collection is named {collection!r}; use one of: {collections}.")
        reply = api.get(urls.entry_url(collection, quote(slug, safe="")))
        url = api.entry_url(collection, reply.body["slug"])
        return {**reply.body, "citation": citation(url, reply.body.get("version"), reply.etag)}

    @server.tool(title="List the roles", annotations=READ_ONLY)
    def list_roles() -> dict[str, Any]:
        """Every role the knowledge base describes, in full, with `slug`, `name` and `url`.

        Use it to learn the role slugs that search(role=...), compare_roles and
        get_entry(collection="roles", ...) take, or to answer "which roles are there?".
        Returns `total` and `roles`. Example: list_roles().
        """
        reply = api.get("/v1/roles", {"page_size": 100})
        roles = [{**role, "url": api.entry_url("roles", role["slug"])} for role in reply.body]
        return {
            "total": reply.total,
            "roles": roles,
            "citation": citation(reply.url, etag=reply.etag),
        }

    @server.tool(title="Compare roles side by side", annotations=READ_ONLY)
    def compare_roles(
        roles: Annotated[
            list[str], Field(description="2 to 10 different role slugs (see list_roles).")
        ],
    ) -> dict[str, Any]:
        """Roles side by side: how they differ and what they share.

        Use it for "X vs Y" or "what is the difference between..." questions. Returns
        `roles` (slug, name, url, version of each), a `matrix` of aspects (focus, output,
        philosophy, pain points, key metric, tooling...) with each role's text under
        `values`, and the `responsibilities`, `tools` and `metrics` they share or own
        alone. An unknown role slug is an error naming it.
        Example: compare_roles(roles=["developer", "devops-engineer"]).
        """
        reply = api.get("/v1/compare", {"roles": ",".join(roles)})
        return {**reply.body, "citation": citation(reply.url, etag=reply.etag)}

    add_feedback_tool(server, app, problem_message)
    return server
