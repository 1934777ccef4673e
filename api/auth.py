"""Who may write: every request that is not a read needs a live key with the right scope."""

from flask import Flask, g, request
from flask_smorest import abort

from .extensions import SAFE_METHODS, db
from .services.keys import allows, authenticate, looks_like_key

KEY_PARAMETERS = {"api_key", "apikey", "key", "token", "access_token"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="who-does-what"'}


def refuse_keys_in_urls() -> None:
    """URLs end up in logs and histories: a key there is refused before anything else."""
    for name, value in request.args.items(multi=True):
        if name.lower() in KEY_PARAMETERS or looks_like_key(value):
            abort(
                400,
                message="API keys are accepted only in the Authorization header "
                "(Authorization: Bearer <key>), never in the URL. If a real key was sent, "
                "revoke it: URLs are often logged by proxies.",
            )


def authenticate_writes() -> None:
    """401 without a live key, 403 when its scope does not allow writing."""
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="Writes need `Authorization: Bearer <key>`.", headers=CHALLENGE)
    key = authenticate(db.session, token.strip())
    if key is None:
        abort(401, message="This key is unknown or revoked.", headers=CHALLENGE)
    require_scope(key, "editor")
    g.api_key = key


def require_scope(key, scope: str) -> None:
    """403 unless the key's scope grants `scope` (admin grants editor too)."""
    if not allows(key, scope):
        abort(403, message=f"This key's scope ({key.scope}) does not allow this: it needs {scope}.")


def register_auth(app: Flask) -> None:
    app.before_request(refuse_keys_in_urls)
    app.before_request(authenticate_writes)
