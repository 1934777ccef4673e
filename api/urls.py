"""Every URL the API writes into its answers, built here and nowhere else.

URLs are relative to the site (`/v1/...`), never built from the request's Host: a client's
Host cannot end up in what other clients read, and an answer can be stored for everyone.
Slugs go in as they are: the slug pattern (schemas/constants.py) leaves nothing to escape.
"""

from urllib.parse import quote, urlencode

from schemas.constants import API_PREFIX


def with_query(path: str, **query: object) -> str:
    """`path` with a query string, in the order given; commas stay readable (`a,b`)."""
    if not query:
        return path
    return f"{path}?{urlencode(query, safe=',', quote_via=quote)}"


def api_url(path: str = "", **query: object) -> str:
    """A URL under the API prefix: `api_url("search", q="k8s")` is `/v1/search?q=k8s`."""
    return with_query(f"{API_PREFIX}/{path}" if path else API_PREFIX, **query)


def collection_url(collection: str, **query: object) -> str:
    """A collection's list: `/v1/tools`, `/v1/tools?role=developer`."""
    return api_url(collection, **query)


def entry_url(collection: str, slug: str, fragment: str | None = None) -> str:
    """One entry, `/v1/tools/docker`, or a part of it: `/v1/roles/developer#pain_points`."""
    url = f"{API_PREFIX}/{collection}/{slug}"
    return f"{url}#{fragment}" if fragment else url


def revisions_url(collection: str, slug: str) -> str:
    """An entry's history: `/v1/tools/docker/revisions`."""
    return f"{entry_url(collection, slug)}/revisions"


def revision_url(collection: str, slug: str, version: int) -> str:
    """One version of an entry: `/v1/tools/docker/revisions/3`."""
    return f"{revisions_url(collection, slug)}/{version}"


def restore_url(collection: str, slug: str, version: int) -> str:
    """Where a POST makes that version current again."""
    return f"{revision_url(collection, slug, version)}/restore"
