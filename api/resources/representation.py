"""The one place that turns entries into JSON responses: fields, embedding, pagination."""

from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from ..encoding import MEDIA_TYPE, encode
from ..registry import BY_MODEL, Collection
from ..services.entries import Page


def represent(collection: Collection, entry: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Dump one entry, embedding the relations in `expand`, keeping only `fields` if given."""
    data = collection.schema_instance.dump(entry)
    if only := args.get("only"):
        data = {key: value for key, value in data.items() if key in only}
    if expand := args.get("expand"):
        data["embedded"] = {name: _embed(getattr(entry, name)) for name in expand}
    return data


def _embed(related: Any) -> list[dict[str, Any]]:
    entries = related if isinstance(related, list) else [related] if related else []
    return [BY_MODEL[type(e)].schema_instance.dump(e) for e in entries]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A body already dumped through its schema (an entry shaped by `fields` and `expand`),
    written by the one encoder. Views whose body the response schema dumps return data."""
    return Response(encode(data), status=status, headers=headers, mimetype=MEDIA_TYPE)


def _page_url(number: int) -> str:
    args = request.args.copy()
    args["page"] = str(number)
    return f"{request.path}?{urlencode(list(args.items(multi=True)))}"


def pagination_headers(page: Page) -> dict[str, str]:
    """RFC 8288 `Link` (first, prev, next, last) and `X-Total-Count`."""
    targets = {"first": 1}
    if page.page > 1:
        targets["prev"] = min(page.page - 1, page.last_page)
    if page.page < page.last_page:
        targets["next"] = page.page + 1
    targets["last"] = page.last_page
    links = ", ".join(f'<{_page_url(n)}>; rel="{rel}"' for rel, n in targets.items())
    return {"Link": links, "X-Total-Count": str(page.total)}
