"""Finding the entry a URL names: the entry, or 404 (never existed) or 410 (deleted)."""

from typing import Any

from flask_smorest import abort

from ..extensions import db
from ..registry import Collection
from ..services.entries import get_entry
from ..services.history import deleted_revision, revision_url
from ..urls import collection_url


def find_entry(collection: Collection, slug: str) -> Any:
    """The entry, or 404 (never existed) or 410 with a link to its last revision (deleted)."""
    entry = get_entry(db.session, collection, slug)
    if entry is not None:
        return entry
    deleted = deleted_revision(db.session, collection, slug)
    if deleted is not None:
        url = revision_url(deleted)
        abort(
            410,
            message=f"'{slug}' was deleted. Its last content is at {url}; an admin can restore "
            f"it with POST {url}/restore.",
            headers={"Link": f'<{url}>; rel="last-revision"'},
        )
    abort(
        404,
        message=f"No {collection.label} has the slug '{slug[:100]}'. "
        f"GET {collection_url(collection.name)} lists them.",
    )
