"""Who Does What: a REST/JSON knowledge API about the people who build and run software.

`create_app` wires configuration, extensions, error handlers, blueprints, CLI commands and
the WSGI layers around Flask. Configuration comes from environment variables only;
api/config.py lists them all.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from .config import Config


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application. `config` overrides Config: a class, or a mapping of settings."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'who-does-what.db'}"
    # Import late: blueprints read the registry, which imports every model.
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import cli
    from .auth import register_auth
    from .bodies import JSONRequest, ReadWholeBody
    from .cache import RepresentationCache
    from .encoding import JSONBodies
    from .errors import register_error_handlers
    from .extensions import cors, db
    from .generation import install as install_generation
    from .http import register_http_hooks
    from .limits import install as install_limits
    from .observability import Observability, configure_logging, note_route
    from .openapi import ProblemApi
    from .resources import register_blueprints
    from .services.passage_store import install as install_passages
    from .services.semantic import install as install_semantic

    # The app's logger is named "api": its modules' loggers (api.errors, ...) log through it,
    # as JSON lines.
    configure_logging(app)
    app.request_class = JSONRequest  # bodies decoded once, within limits (api/bodies.py)
    app.json = JSONBodies(app)  # what views return is written by api/encoding.py

    # extensions
    db.init_app(app)
    install_generation(app)  # what every in-process cache compares with
    install_semantic(app)  # SEMANTIC_SEARCH on: refuses to start without the extra
    install_passages(app)  # writers rewrite the passages of the entries they index
    api = ProblemApi(app)
    cors.init_app(
        app,
        origins=app.config["CORS_ORIGINS"],
        expose_headers=[
            "ETag",
            "Link",
            "X-Total-Count",
            "Location",
            "X-Next-Cursor",
            "Retry-After",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
        ],
        methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "X-Change-Message",
        ],
        max_age=600,
    )

    # The first before_request hook, so that requests refused by the later ones (rate limits,
    # authentication, request guards) are named in the access log and metrics too.
    app.before_request(note_route)
    install_limits(app)

    # blueprints, hooks, errors, commands
    register_blueprints(app, api)
    register_auth(app)
    register_http_hooks(app)
    register_error_handlers(app)
    cli.register(app)

    # WSGI layers, outermost first: each sees every request the ones below it see.
    config = app.config
    observability = Observability(app)
    cache = None
    if config["REPRESENTATION_CACHE_BYTES"] > 0:
        cache = RepresentationCache(
            app.extensions["generation"], config["REPRESENTATION_CACHE_BYTES"]
        )
    app.extensions.update(observability=observability, representation_cache=cache)
    app.wsgi_app = compose(
        app.wsgi_app,
        [
            # Every body read whole (up to MAX_CONTENT_LENGTH) before anything answers, so a
            # keep-alive connection survives an answer that never looked at the body.
            ReadWholeBody(config["MAX_CONTENT_LENGTH"]),
            # Request ids, the access log and metrics; outside the stored answers, so those are
            # logged and counted too; outside ProxyFix, so /metrics sees the socket's peer.
            observability,
            # Repeated public reads answered from memory, before Flask is involved.
            cache,
            # The client's address from X-Forwarded-For, for the rate limits: only Flask needs it.
            ProxyFix(None, x_for=config["TRUSTED_PROXIES"]) if config["TRUSTED_PROXIES"] else None,
        ],
    )
    return app


def compose(app: Callable, layers: list) -> Callable:
    """`app` inside `layers`, listed outermost first (None: a layer that is off).

    Each layer is a WSGI middleware object whose `app` attribute is the app it calls.
    """
    for layer in reversed(layers):
        if layer is not None:
            layer.app = app
            app = layer
    return app
