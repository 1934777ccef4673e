"""The views every collection shares (list, create, read, replace, patch, delete)."""

from flask import Response, request
from flask.views import MethodView
from marshmallow import RAISE

from .. import markdown
from ..extensions import db
from ..formats import representations
from ..registry import Collection
from ..services.entries import get_entry, list_entries, renamed_to
from ..services.writes import create_entry, delete_entry, patch_entry, replace_entry
from ..urls import collection_url, entry_url
from .idempotency import idempotent
from .lookup import find_entry
from .openapi_docs import (
    CHANGE_MESSAGE,
    CREATED_HEADERS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    LIST_HEADERS,
    READ_HEADERS,
    WRITE_HEADERS,
    Blueprint,
    merge_patch_body,
    write_responses,
)
from .representation import json_response, pagination_headers, represent
from .revisions import add_revision_routes
from .writing import answer, change, created, current, request_object


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _filters_doc(collection: Collection) -> str:
    if not collection.filters:
        return ""
    return f" Filter with {', '.join(f'`{name}`' for name in collection.filters)}."


def _moved(how: str) -> dict:
    """Documentation of the redirect a renamed slug answers with."""
    return {
        "description": f"The slug was renamed: `Location` is the entry's URL now ({how}). "
        "Sub-URLs (revisions) move the same way.",
        "headers": {
            "Location": {
                "description": "The same URL with the new slug.",
                "schema": {"type": "string"},
            }
        },
    }


MOVED_READ = _moved("301 Moved Permanently: read it there")
MOVED_WRITE = _moved("308 Permanent Redirect: repeat the request there")


def redirect_renamed(collection: Collection, response: Response) -> Response:
    """A 404 for a slug that was renamed becomes a redirect to the entry's new URL.

    Only misses pay for the lookup. Reads get 301; writes 308, which keeps the method and body.
    """
    slug = (request.view_args or {}).get("slug")
    old = entry_url(collection.name, slug)
    if response.status_code != 404 or not slug or not request.path.startswith(old):
        return response
    new = renamed_to(db.session, collection, slug)
    if new is None:
        return response
    location = entry_url(collection.name, new) + request.path[len(old) :]
    if request.query_string:
        location += f"?{request.query_string.decode('latin-1')}"
    status = 301 if request.method in ("GET", "HEAD") else 308
    body = {"detail": f"'{slug}' was renamed '{new}'. Follow Location.", "location": location}
    return json_response(body, status=status, headers={"Location": location})


def collection_blueprint(collection: Collection) -> Blueprint:
    """A Blueprint serving /v1/<name>, /v1/<name>/<slug> and the entries' revisions."""
    blp = Blueprint(
        collection.name,
        __name__,
        url_prefix=collection_url(collection.name),
        description=collection.description,
    )
    title, label, camel = collection.title.lower(), collection.label, collection.singular
    read_schema = collection.schema(partial=True)
    blp.after_request(lambda response: redirect_renamed(collection, response))

    @blp.route("")
    @representations(markdown=markdown.entry_list, **collection.representations)
    class EntryList(MethodView):
        @blp.doc(
            operationId=f"list{_camel(collection.name)}",
            summary=f"List {title}",
            description=f"{collection.description} Use this to browse or filter {title}; "
            "to find entries by words or a question, use /v1/search or /v1/answers instead. "
            "Returns a JSON array of entries, paginated with `page` and `page_size` (`Link` "
            f"and `X-Total-Count` headers describe the pages).{_filters_doc(collection)} "
            "Shape each entry with `fields` and `expand`. Example: "
            f"`{collection_url(collection.name)}?{collection.example_query}`.",
        )
        @blp.arguments(collection.list_args, location="query", unknown=RAISE, as_kwargs=False)
        @blp.response(200, collection.schema(many=True, partial=True), headers=LIST_HEADERS)
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def get(self, args):
            page = list_entries(db.session, collection, args)
            body = [represent(collection, entry, args) for entry in page.items]
            return json_response(body, headers=pagination_headers(page))

        @blp.doc(
            operationId=f"create{camel}",
            summary=f"Create a {label}",
            description=f"Add a {label}. Needs an editor key. Answers 201 with the entry, its "
            "`Location` and `ETag`. Send `Idempotency-Key` to retry safely: the same key and "
            "body replay the first answer; the same key with another body is 422.",
            parameters=[IDEMPOTENCY_KEY, CHANGE_MESSAGE],
            security=[{"bearerAuth": []}],
        )
        @blp.arguments(collection.schema, location="json", unknown=RAISE)
        @blp.response(201, read_schema, headers=CREATED_HEADERS)
        @write_responses(blp, 409)
        def post(self, data):
            respond = created(collection, data["slug"])
            return idempotent(lambda: create_entry(db.session, collection, data, change(), respond))

    @blp.route("/<slug>")
    @representations(markdown=markdown.entry, **collection.representations)
    class EntryBySlug(MethodView):
        @blp.doc(
            operationId=f"get{camel}",
            summary=f"Get one {label} by slug",
            description=f"One {label} in full, once you know its slug (from a list, a search "
            "hit or another entry's `links`): every field, its `version` and timestamps, and "
            "links to related entries; cite its URL and version. Shape it with `fields` and "
            "`expand`. Unknown slugs answer 404; deleted ones 410 with a link to their last "
            "revision; renamed ones 301 with the new URL in `Location`. "
            f"Example: `{entry_url(collection.name, collection.example_slug)}`.",
        )
        @blp.arguments(collection.item_args, location="query", unknown=RAISE, as_kwargs=False)
        @blp.response(200, read_schema, headers=READ_HEADERS)
        @blp.alt_response(301, **MOVED_READ)
        @blp.alt_response(404, response="NOT_FOUND")
        @blp.alt_response(410, response="GONE")
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def get(self, args, slug):
            entry = get_entry(db.session, collection, slug, args.get("expand") or ())
            return json_response(represent(collection, entry or find_entry(collection, slug), args))

        @blp.doc(
            operationId=f"replace{camel}",
            summary=f"Replace a {label}",
            description=f"Replace the whole {label} (fields left out take their defaults). "
            "Needs an editor key and `If-Match` with the ETag of your last GET: 428 without "
            "it, 412 when the entry changed since. The slug cannot change.",
            parameters=[IF_MATCH, CHANGE_MESSAGE],
            security=[{"bearerAuth": []}],
        )
        @blp.arguments(collection.schema, location="json", unknown=RAISE)
        @blp.response(200, read_schema, headers=WRITE_HEADERS)
        @blp.alt_response(308, **MOVED_WRITE)
        @write_responses(blp, 404, 409, 410, 412, 428)
        def put(self, data, slug):
            entry = current(collection, slug)
            return replace_entry(
                db.session, collection, entry, data, change(), answer(collection, slug)
            )

        @blp.doc(
            operationId=f"patch{camel}",
            summary=f"Change some fields of a {label}",
            description="A JSON Merge Patch (RFC 7396, `application/merge-patch+json`; "
            "`application/json` is accepted too): the fields sent replace the current ones, "
            "`null` removes an optional field. Needs an editor key and `If-Match` (428 "
            "without, 412 when stale).",
            parameters=[IF_MATCH, CHANGE_MESSAGE],
            security=[{"bearerAuth": []}],
        )
        @blp.doc(requestBody=merge_patch_body(collection))
        @blp.response(200, read_schema, headers=WRITE_HEADERS)
        @blp.alt_response(308, **MOVED_WRITE)
        @write_responses(blp, 404, 409, 410, 412, 428)
        def patch(self, slug):
            patch = request_object()  # a malformed body is refused before preconditions
            entry = current(collection, slug)
            return patch_entry(
                db.session, collection, entry, patch, change(), answer(collection, slug)
            )

        @blp.doc(
            operationId=f"delete{camel}",
            summary=f"Delete a {label}",
            description="Needs an editor key and `If-Match`. Refused with 409 while other "
            "entries name this one. Afterwards the slug answers 410 and the last content stays "
            "in the revisions, from which an admin can restore it.",
            parameters=[IF_MATCH, CHANGE_MESSAGE],
            security=[{"bearerAuth": []}],
        )
        @blp.response(204)
        @blp.alt_response(308, **MOVED_WRITE)
        @write_responses(blp, 404, 409, 410, 412, 428)
        def delete(self, slug):
            delete_entry(db.session, collection, current(collection, slug), change())
            return "", 204

    add_revision_routes(blp, collection)
    return blp
