"""Rate limits per API key (or, without one, per client address), shared through Redis.

Three budgets, checked on every request Flask handles: writes, searches and answers, other
reads. Counters live in Redis when REDIS_URL is set, so every worker and instance draws
from one bucket; when Redis cannot be reached, each process counts in memory until it can
again (flask-limiter's fallback). Answers reused from stored representations (api/cache.py)
cost no database work and are not counted. The client address is the socket's peer unless
TRUSTED_PROXIES says how many proxies' X-Forwarded-For entries to believe.
"""

from flask import Flask, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import SAFE_METHODS
from .services.keys import KEY_PREFIX, looks_like_key

EXEMPT_PATHS = ("/healthz", "/readyz")
SEARCH_PATHS = ("/v1/search", "/v1/answers")


def request_class() -> str:
    if request.method not in SAFE_METHODS:
        return "writes"
    return "search" if request.path.startswith(SEARCH_PATHS) else "reads"


def rate_key() -> str:
    """The bucket: the request's class and its key's public part, or its address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and looks_like_key(token):
        who = "key:" + token.removeprefix(KEY_PREFIX).partition("_")[0]
    else:
        who = f"address:{request.remote_addr}"
    return f"{request_class()}:{who}"


def install(app: Flask) -> Limiter:
    config = app.config
    if config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config["TRUSTED_PROXIES"])
    limits = {
        "writes": config["RATE_LIMIT_WRITES"],
        "search": config["RATE_LIMIT_SEARCH"],
        "reads": config["RATE_LIMIT_READS"],
    }
    limiter = Limiter(
        key_func=rate_key,
        app=app,
        application_limits=[lambda: limits[request_class()]],
        application_limits_exempt_when=lambda: (
            request.method == "OPTIONS" or request.path.startswith(EXEMPT_PATHS)
        ),
        headers_enabled=True,
        storage_uri=config["REDIS_URL"] or "memory://",
        in_memory_fallback_enabled=bool(config["REDIS_URL"]),
        key_prefix=config["RATE_LIMIT_PREFIX"],
        enabled=config["RATE_LIMITS_ENABLED"],
    )
    return limiter
