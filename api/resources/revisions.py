"""History routes of each collection: list an entry's revisions, read one, restore one."""

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import RAISE

from schemas.base import ListArgsSchema
from schemas.constants import MAX_INT32
from schemas.history import RevisionSchema

from ..extensions import db
from ..models import Revision
from ..registry import Collection
from ..services.history import get_revision, list_revisions
from ..services.writes import restore_revision
from ..urls import entry_url, restore_url, revision_url
from .openapi_docs import (
    CHANGE_MESSAGE,
    IF_MATCH_UNLESS_DELETED,
    LIST_HEADERS,
    READ_HEADERS,
    write_responses,
)
from .representation import pagination_headers
from .writing import answer, change, current_if_any

# Versions are 32-bit: anything larger cannot exist and is a 404, not a database error.
VERSION = f"<int(min=1, max={MAX_INT32}):number>"


def revision_body(revision: Revision) -> dict:
    collection, slug, version = revision.collection, revision.slug, revision.version
    return {
        "collection": revision.collection,
        "slug": revision.slug,
        "version": revision.version,
        "action": revision.action,
        "changed": revision.changed,
        "author": revision.author,
        "message": revision.message,
        "created_at": revision.created_at,
        "snapshot": revision.snapshot,
        "links": {
            "self": revision_url(collection, slug, version),
            "entry": entry_url(collection, slug),
            "restore": restore_url(collection, slug, version),
        },
    }


def add_revision_routes(blp, collection: Collection) -> None:
    label, camel = collection.label, collection.singular

    def found_revision(slug: str, number: int) -> Revision:
        revision = get_revision(db.session, collection, slug, number)
        if revision is None:
            abort(404, message=f"'{slug[:100]}' has no version {number}.")
        return revision

    @blp.route("/<slug>/revisions")
    class Revisions(MethodView):
        @blp.doc(
            operationId=f"list{camel}Revisions",
            summary=f"List the revisions of a {label}",
            description="Every change to the entry, newest first: version, action, changed "
            "fields, author (the key's name), time, message and the full snapshot. Paginated "
            "like every list. Also answers for deleted entries.",
        )
        @blp.arguments(ListArgsSchema, location="query", unknown=RAISE, as_kwargs=False)
        @blp.response(200, RevisionSchema(many=True), headers=LIST_HEADERS)
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, args, slug):
            page = list_revisions(db.session, collection, slug, args["page"], args["page_size"])
            if not page.total:
                abort(404, message=f"No {label} has ever had the slug '{slug[:100]}'.")
            body = [revision_body(revision) for revision in page.items]
            return body, pagination_headers(page)  # written through RevisionSchema

    @blp.route(f"/<slug>/revisions/{VERSION}")
    class RevisionByNumber(MethodView):
        @blp.doc(
            operationId=f"get{camel}Revision",
            summary=f"Get one revision of a {label}",
            description="The entry as it was at that version, with who changed what and when.",
        )
        @blp.response(200, RevisionSchema, headers=READ_HEADERS)
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, slug, number):
            return revision_body(found_revision(slug, number))  # through RevisionSchema

    @blp.route(f"/<slug>/revisions/{VERSION}/restore")
    class RestoreRevision(MethodView):
        @blp.doc(
            operationId=f"restore{camel}Revision",
            summary=f"Make a revision of a {label} current again",
            description="Copies the revision's content into a new version. For an existing "
            "entry: an editor key and `If-Match` (428/412). For a deleted entry: an admin "
            "key; it is re-created.",
            parameters=[IF_MATCH_UNLESS_DELETED, CHANGE_MESSAGE],
            security=[{"bearerAuth": []}],
        )
        @blp.response(200, collection.schema(partial=True), headers=READ_HEADERS)
        @write_responses(blp, 404, 409, 412, 428)
        def post(self, slug, number):
            revision = found_revision(slug, number)
            # None when deleted: bringing it back needs an admin (api/auth.py, the service)
            entry = current_if_any(collection, slug)
            return restore_revision(
                db.session, collection, entry, revision, change(), answer(collection, slug)
            )
