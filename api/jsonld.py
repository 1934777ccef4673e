"""schema.org JSON-LD renderers (api/formats.py's `Renderer`): FAQ entries as an FAQPage.

The FAQ collection declares this representation in api/registry.py, so its list and item
views offer it whatever the collection is called; no other collection does.
"""

from typing import Any

from flask import request

from .urls import entry_url


def faq_page(body: dict[str, Any] | list[dict[str, Any]], *_: Any) -> dict[str, Any]:
    """schema.org FAQPage: one Question with its acceptedAnswer per FAQ entry (a renderer:
    the path and total it is given are not needed, its URL keeps the query)."""
    entries = body if isinstance(body, list) else [body]
    # URLs relative to this document, never built from the request's Host (a client's
    # input): the answer is the same whoever asks, and may be stored for everyone.
    page: dict[str, Any] = {"@context": "https://schema.org", "@type": "FAQPage"}
    page["url"] = request.full_path.rstrip("?")
    page["mainEntity"] = [
        {
            "@type": "Question",
            "@id": entry_url("faqs", e["slug"]),
            "name": e["question"],
            # Other ways people ask it: schema.org's alias of a Thing (Question has no
            # property of its own for them).
            **({"alternateName": e["examples"]} if e.get("examples") else {}),
            "acceptedAnswer": {"@type": "Answer", "text": e["answer"]},
            **({"version": str(e["version"])} if "version" in e else {}),
            **({"citation": _citations(e["sources"])} if e.get("sources") else {}),
        }
        for e in entries
        if "question" in e and "answer" in e
    ]
    return page


def _citations(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """schema.org citations: each cited resource, or the section of it, as a CreativeWork."""
    cited = []
    for source in sources:
        work = {
            "@type": "CreativeWork",
            "@id": entry_url("resources", source["resource"]),
            "name": source.get("title") or source["resource"],
        }
        if source.get("section"):
            work = {"@type": "CreativeWork", "name": source["section"], "isPartOf": work}
        if work not in cited:
            cited.append(work)
    return cited
