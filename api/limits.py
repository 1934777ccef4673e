"""Rate limits per verified API key (or, without one, per client address), shared through Redis.

Three budgets, checked on every request Flask handles: writes, searches and answers, other
reads. Only a key that verified names a bucket (api/auth.py verifies it, with a short
per-process cache); a request with a forged or wrong key counts against its address, like
one without a key. Failed authentications have a fourth, small budget per address
(RATE_LIMIT_AUTH_FAILURES): past it, a request carrying a key not verified lately is 429
before any lookup. Counters live in Redis when REDIS_URL is set, so every worker and
instance draws from one bucket; when Redis cannot be reached, each process counts in memory
until it can again (flask-limiter's fallback). Answers reused from stored representations
(api/cache.py) cost no database work and are not counted. The client address is the
socket's peer unless TRUSTED_PROXIES says how many proxies' X-Forwarded-For entries to
believe (werkzeug's ProxyFix, in create_app's list of WSGI layers). Retry-After is sent on
429 (and 503) answers only.
"""

import logging
import math
import time

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_smorest import abort
from limits import RateLimitItem, parse

from .auth import bearer_token, identify, recently_verified
from .extensions import SAFE_METHODS

log = logging.getLogger(__name__)
EXEMPT_PATHS = ("/healthz", "/readyz")
SEARCH_PATHS = ("/v1/search", "/v1/answers")
FEEDBACK_PATH = "/v1/answers/feedback"  # votes: a budget of their own, per key or address
RETRYING_STATUSES = (429, 503)


def request_class() -> str:
    if request.path == FEEDBACK_PATH:
        return "feedback"
    if request.method not in SAFE_METHODS:
        return "writes"
    return "search" if request.path.startswith(SEARCH_PATHS) else "reads"


def exempt() -> bool:
    return request.method == "OPTIONS" or request.path.startswith(EXEMPT_PATHS)


def rate_key() -> str:
    """The bucket: the request's class and its verified key, or its address."""
    identity = g.get("identity")
    if identity is not None and identity.key is not None:
        who = f"key:{identity.key.id}"
    else:
        who = f"address:{request.remote_addr}"
    return f"{request_class()}:{who}"


class FailedAuthentications:
    """The per-address budget of keys that fail to verify."""

    def __init__(self, limiter: Limiter, limit: RateLimitItem, prefix: str):
        self.limiter, self.limit, self.prefix = limiter, limit, prefix

    def check(self) -> None:
        """Before the request: 429 if its address spent the budget and its key is not
        known good; otherwise verify the key, and count it if it fails."""
        if not self.limiter.enabled or exempt() or request.routing_exception is not None:
            return
        token = bearer_token()
        if token is None:
            return
        where = (self.prefix, "auth-failures", f"address:{request.remote_addr}")
        strategy = self.limiter.limiter  # Redis, or memory while Redis is down
        try:
            spent = recently_verified(token) is None and not strategy.test(self.limit, *where)
            reset = strategy.get_window_stats(self.limit, *where).reset_time if spent else 0
        except Exception as exc:  # the storage is down: the limiter's own check falls back
            log.warning("failed-authentication budget not checked: %r", exc)
            spent = False
        if spent:
            abort(
                429,
                message=f"Too many failed authentications from this address (limit: "
                f"{self.limit}). Check the key in the Authorization header, then retry after "
                "the number of seconds in Retry-After.",
                headers={"Retry-After": str(max(1, math.ceil(reset - time.time())))},
            )
        if identify().failed:
            try:
                strategy.hit(self.limit, *where)
            except Exception as exc:
                log.warning("failed authentication not counted: %r", exc)


def retry_after_only_when_retrying(response: Response) -> Response:
    """flask-limiter adds Retry-After to every answer; it means something on 429 and 503 only."""
    if response.status_code not in RETRYING_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def install(app: Flask) -> Limiter:
    config = app.config
    limits = {
        "writes": config["RATE_LIMIT_WRITES"],
        "search": config["RATE_LIMIT_SEARCH"],
        "reads": config["RATE_LIMIT_READS"],
        "feedback": config["RATE_LIMIT_FEEDBACK"],
    }
    limiter = Limiter(
        key_func=rate_key,
        application_limits=[lambda: limits[request_class()]],
        application_limits_exempt_when=exempt,
        headers_enabled=True,
        storage_uri=config["REDIS_URL"] or "memory://",
        in_memory_fallback_enabled=bool(config["REDIS_URL"]),
        key_prefix=config["RATE_LIMIT_PREFIX"],
        enabled=config["RATE_LIMITS_ENABLED"],
    )
    failures = FailedAuthentications(
        limiter, parse(config["RATE_LIMIT_AUTH_FAILURES"]), config["RATE_LIMIT_PREFIX"]
    )
    # Registered before the Limiter's own hooks: this before_request runs before its check
    # (which needs the verified key), this after_request after it adds its headers.
    app.before_request(failures.check)
    app.after_request(retry_after_only_when_retrying)
    limiter.init_app(app)
    return limiter
