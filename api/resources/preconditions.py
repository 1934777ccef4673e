"""If-Match on writes: 428 without it, 412 unless it names the current representation."""

from typing import Any

from flask import request
from flask_smorest import abort
from werkzeug.http import generate_etag, quote_etag

from ..registry import Collection
from .representation import json_response, represent


def etag_of(shown: dict[str, Any]) -> str:
    """The ETag a plain GET carries for this representation: a hash of exactly its bytes."""
    return generate_etag(json_response(shown).get_data())


def representation_etag(collection: Collection, entry: Any) -> str:
    """The ETag a plain GET of the entry carries."""
    return etag_of(represent(collection, entry, {}))


def require_if_match(shown: dict[str, Any]) -> None:
    """428 without If-Match; 412 unless it names `shown`, the entry's representation (or *).

    The 412 carries the current ETag, so that a client can retry without a GET.
    """
    if not request.headers.get("If-Match"):
        abort(
            428,
            message="Send If-Match with the ETag of your last GET of this entry, so that a "
            "change made meanwhile is not overwritten.",
        )
    etag = etag_of(shown)
    # The compressed forms of a stored representation carry the same ETag with a suffix.
    variants = (etag, f"{etag}-gzip", f"{etag}-br")
    if not request.if_match.star_tag and not any(map(request.if_match.contains, variants)):
        abort(
            412,
            message="The entry changed since that ETag. This answer's ETag is the current "
            "one: GET the entry (or check that your change still applies) and retry with it.",
            headers={"ETag": quote_etag(etag)},
        )
