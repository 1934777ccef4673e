"""The list and item views shared by every collection, built from its registry entry."""

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import RAISE

from ..extensions import db
from ..registry import Collection
from ..services.entries import get_entry, list_entries
from .openapi_docs import LIST_HEADERS, READ_HEADERS, Blueprint
from .representation import json_response, pagination_headers, represent


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _filters_doc(collection: Collection) -> str:
    if not collection.filters:
        return ""
    return f" Filter with {', '.join(f'`{name}`' for name in collection.filters)}."


def collection_blueprint(collection: Collection) -> Blueprint:
    """A Blueprint serving /v1/<name> (a paginated list) and /v1/<name>/<slug> (one entry)."""
    blp = Blueprint(
        collection.name,
        __name__,
        url_prefix=f"/v1/{collection.name}",
        description=collection.description,
    )
    title = collection.title.lower()
    singular = collection.singular

    @blp.route("")
    class EntryList(MethodView):
        @blp.doc(
            operationId=f"list{_camel(collection.name)}",
            summary=f"List {title}",
            description=f"{collection.description} A JSON array, paginated with `page` and "
            "`page_size`; `Link` and `X-Total-Count` headers describe the pages."
            f"{_filters_doc(collection)} Shape each entry with `fields` and `expand`.",
        )
        @blp.arguments(collection.list_args, location="query", unknown=RAISE, as_kwargs=False)
        @blp.response(200, collection.schema(many=True, partial=True), headers=LIST_HEADERS)
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def get(self, args):
            page = list_entries(db.session, collection, args)
            body = [represent(collection, entry, args) for entry in page.items]
            return json_response(body, headers=pagination_headers(page))

    @blp.route("/<slug>")
    class EntryBySlug(MethodView):
        @blp.doc(
            operationId=f"get{singular}",
            summary=f"Get one {collection.label} by slug",
            description=f"One entry of {title}, with its version, timestamps and links to related "
            "entries. Shape it with `fields` and `expand`. Unknown slugs answer 404.",
        )
        @blp.arguments(collection.item_args, location="query", unknown=RAISE, as_kwargs=False)
        @blp.response(200, collection.schema(partial=True), headers=READ_HEADERS)
        @blp.alt_response(404, response="NOT_FOUND")
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def get(self, args, slug):
            entry = get_entry(db.session, collection, slug)
            if entry is None:
                abort(
                    404,
                    message=f"No {collection.label} has the slug '{slug[:100]}'. "
                    f"GET /v1/{collection.name} lists them.",
                )
            return json_response(represent(collection, entry, args))

    return blp
