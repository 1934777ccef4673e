"""/v1/changes: every create, update, delete and restore across collections, in commit order."""

from flask_smorest import abort
from marshmallow import RAISE

from schemas.history import ChangesArgs, ChangeSchema

from ..extensions import db
from ..services.history import BadCursor, changes_after, decode_cursor, encode_cursor
from ..urls import api_url, entry_url, revision_url
from .openapi_docs import READ_HEADERS, Blueprint

NEXT_HEADERS = {
    **READ_HEADERS,
    "Link": {
        "description": 'The next batch: `<...?since=CURSOR>; rel="next"`.',
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "Pass as `since` next time (the same cursor when nothing was new).",
        "schema": {"type": "string"},
    },
}


def changes_blueprint() -> Blueprint:
    blp = Blueprint("changes", __name__, url_prefix=api_url("changes"), description=__doc__)

    @blp.route("")
    @blp.doc(
        operationId="listChanges",
        summary="List changes since a cursor",
        description="For caches and search indexes that stay in sync without re-reading "
        "everything: each change carries the collection, slug, version, action and a `cursor`. "
        "Ask again with `since` set to the last cursor (also in `X-Next-Cursor`) to get only "
        "what came after. Oldest first.",
    )
    @blp.arguments(ChangesArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, ChangeSchema(many=True), headers=NEXT_HEADERS)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def changes(args):
        since = args.get("since")
        try:
            after = decode_cursor(since) if since else 0
        except BadCursor:
            abort(422, errors={"since": ["Not a cursor this API gave out."]})
        revisions = changes_after(db.session, after, args["limit"])
        body = [
            {
                "cursor": encode_cursor(r.id),
                "collection": r.collection,
                "slug": r.slug,
                "version": r.version,
                "action": r.action,
                "changed": r.changed,
                "author": r.author,
                "created_at": r.created_at,
                "links": {
                    "entry": entry_url(r.collection, r.slug),
                    "revision": revision_url(r.collection, r.slug, r.version),
                },
            }
            for r in revisions
        ]
        cursor = body[-1]["cursor"] if body else (since or encode_cursor(0))
        link = f'<{api_url("changes", since=cursor, limit=args["limit"])}>; rel="next"'
        # written through ChangeSchema
        return body, {"X-Next-Cursor": cursor, "Link": link}

    return blp
