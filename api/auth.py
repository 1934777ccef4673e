"""Who sent a request, and what it may do.

- `identify`: the request's key, once verified (a read in a session of its own, so a wrong
  key never waits for or takes the write lock), remembered per process for
  API_KEY_CACHE_SECONDS. Rate limits (api/limits.py) name buckets after it.
- Every request that is not a read needs a live editor key (401/403).
- Bringing a deleted entry back needs an admin key, whichever route does it (403).
- Keys in URLs are refused.
"""

from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app, g, request
from flask_smorest import abort
from sqlalchemy import event

from .extensions import SAFE_METHODS, db
from .registry import BY_NAME
from .services.history import deleted_revision, revision_url
from .services.keys import VERIFIED, VerifiedKey, allows, authenticate, looks_like_key, mark_used
from .services.store import bring_back_refused

KEY_PARAMETERS = {"api_key", "apikey", "key", "token", "access_token"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="who-does-what"'}
# Writes anyone may send: feedback on answers (chatbot users are anonymous; rate-limited).
ANONYMOUS_WRITES = frozenset({"/v1/answers/feedback"})


@dataclass(frozen=True)
class Identity:
    """The request's verified key, if any, and whether it sent a bearer credential at all."""

    key: VerifiedKey | None
    presented: bool

    @property
    def failed(self) -> bool:
        """A credential was sent and did not verify."""
        return self.presented and self.key is None


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def recently_verified(token: str) -> VerifiedKey | None:
    """The key this token proved to be within the cache's bound; no database work."""
    return VERIFIED.get(db.engine.pool, token)


def verify(token: str) -> VerifiedKey | None:
    """The live key `token` proves, from the cache or from one read of its own."""
    key = recently_verified(token)
    if key is None:
        with current_app.extensions["database"]["reader"]() as session:
            key = authenticate(session, token)
        if key is not None:
            VERIFIED.put(db.engine.pool, token, key, current_app.config["API_KEY_CACHE_SECONDS"])
    return key


def identify() -> Identity:
    """Who sent this request (worked out once per request)."""
    if "identity" not in g:
        token = bearer_token()
        g.identity = Identity(verify(token) if token else None, token is not None)
    return g.identity


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
    if request.path in ANONYMOUS_WRITES:
        return
    identity = identify()
    if not identity.presented:
        abort(401, message="Writes need `Authorization: Bearer <key>`.", headers=CHALLENGE)
    if identity.key is None:
        abort(401, message="This key is unknown or revoked.", headers=CHALLENGE)
    require_scope(identity.key, "editor")
    g.api_key = identity.key
    # The key's last use is stamped by the write itself, in its transaction.
    event.listen(db.session, "before_commit", partial(_stamp, identity.key.id), once=True)


def _stamp(key_id: int, session) -> None:
    mark_used(session, key_id)


def require_editor(what: str) -> None:
    """For reads only editors may make (`what`: "Analytics need", "The gap report needs"):
    401 without a live key, 403 when its scope does not allow editing."""
    identity = identify()
    if not identity.presented:
        abort(401, message=f"{what} an editor key: `Authorization: Bearer <key>`.",
              headers=CHALLENGE)  # fmt: skip
    if identity.key is None:
        abort(401, message="This key is unknown or revoked.", headers=CHALLENGE)
    require_scope(identity.key, "editor")


def require_scope(key: VerifiedKey, scope: str) -> None:
    """403 unless the key's scope grants `scope` (admin grants editor too)."""
    if not allows(key, scope):
        abort(403, message=f"This key's scope ({key.scope}) does not allow this: it needs {scope}.")


def require_admin_to_bring_back() -> None:
    """A POST naming a deleted entry's slug (restore, in its URL; create, in its body) needs
    an admin key: the one place this rule lives.

    Checked here, before the body is validated, with no lock; the write checks again in its
    own transaction (api/services/store.py), so an entry deleted meanwhile stays deleted.
    """
    if request.method != "POST" or "api_key" not in g or allows(g.api_key, "admin"):
        return
    collection = BY_NAME.get(request.blueprint or "")
    if collection is None:
        return
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # refused with its own error by the view's parsing
            return
        slug = body.get("slug") if isinstance(body, dict) else None
    if not isinstance(slug, str):
        return
    deleted = deleted_revision(db.session, collection, slug)
    if deleted is not None:
        raise bring_back_refused(slug, revision_url(deleted), g.api_key.scope)


def register_auth(app: Flask) -> None:
    app.before_request(refuse_keys_in_urls)
    app.before_request(authenticate_writes)
    app.before_request(require_admin_to_bring_back)
