"""/llms.txt: the API described for language models, linking the Markdown views.

Links are relative to the site that serves the file (`/v1/...`), never built from the
request's Host: a client's Host cannot end up in what other clients read.
"""

from flask import Blueprint, Response, current_app

from ..extensions import db
from ..formats import negotiates_itself
from ..registry import COLLECTIONS
from ..services.entries import count_entries
from ..urls import api_url, entry_url
from .meta import DESCRIPTION

llms = Blueprint("llms", __name__)


def _lines(counts: dict[type, int]) -> list[str]:
    def md(path: str = "", **query: object) -> str:
        return api_url(path, **query, format="markdown")

    lines = [
        f"# {current_app.config['API_TITLE']}",
        "",
        f"> {DESCRIPTION}",
        "",
        "Every GET answers JSON. Add `format=markdown` to a URL (or send "
        "`Accept: text/markdown`) to read it as Markdown, as the links below do; FAQ entries "
        "are also schema.org FAQPage JSON-LD with `format=jsonld`. Entries carry a `url` and "
        "a `version`: cite both. Reads need no key.",
        "",
        "## Ask",
        "",
        f"- [Answer a question]({md('answers', q='do devops engineers write code')}): "
        "the best passage for a question as typed (up to 2,000 characters), with a `status`: "
        "`answered` (quote `passage.text`, cite `passage.url`, the entry's URL with a "
        "`#fragment`, with its `version` and `etag`), `ambiguous` (ask the user which of the "
        "2 to 4 `options` they mean), `no_match` (not covered yet: say so, invent nothing) or "
        "`out_of_domain` (outside this knowledge base); and a `confidence` from 0 to 1.",
        f"- [Citable passages]({api_url('passages', q='who owns the deployment pipeline', k=5)}): "
        "the `k` best passages for a question (JSON only), each with `text` and its citation "
        "(`url#fragment`, `version`, `etag`, `sources`), for retrieval-augmented generation.",
        f"- [Search everything]({md('search', q='kubernetes')}): ranked hits of every "
        "type with snippets; restrict with `type` and `role`.",
        f"- [Compare roles]({md('compare', roles='developer,devops-engineer')}): the "
        "comparison matrix side by side, and the responsibilities, tools and metrics the "
        "roles share or keep to themselves.",
        "",
        "## Collections",
        "",
    ]
    lines += [
        f"- [{c.title}]({md(c.name, page_size=100)}): {c.description} "
        f"({counts[c.model]} entries; one entry: `{entry_url(c.name, '<slug>')}`)"
        for c in COLLECTIONS
    ]
    lines += [
        "",
        "## Reference",
        "",
        "- [OpenAPI 3 spec](/openapi.json): every operation, parameter and answer.",
        "- [Interactive docs](/docs)",
        f"- [API root]({md()})",
        "",
        "## Optional",
        "",
        f"- [Change feed]({api_url('changes')}): every change in commit order, for mirrors.",
        "- MCP server: `flask --app api mcp` (stdio) offers search, answers, passages, entries "
        "and role comparison as tools.",
    ]
    return lines


@llms.get("/llms.txt")
@negotiates_itself
def llms_txt() -> Response:
    counts = count_entries(db.session, [c.model for c in COLLECTIONS])
    body = "\n".join(_lines(counts)) + "\n"
    return Response(body, mimetype="text/markdown")
