"""Who Does What: a REST/JSON knowledge API about the people who build and run software.

`create_app` wires configuration, extensions, error handlers, blueprints and CLI commands.
Configuration comes from environment variables only; api/config.py lists them all.
"""

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
    # The app's logger is named "api": its modules' loggers (api.errors, ...) log through it,
    # as JSON lines (api/observability.py).
    app.logger.setLevel(app.config["LOG_LEVEL"])

    # Import late: blueprints read the registry, which imports every model.
    from . import cli
    from .auth import register_auth
    from .bodies import install as install_bodies
    from .cache import install as install_cache
    from .errors import register_error_handlers
    from .extensions import ProblemApi, cors, db
    from .generation import install as install_generation
    from .http import register_http_hooks
    from .limits import install as install_limits
    from .observability import install as install_observability
    from .resources import register_blueprints
    from .services.passage_store import install as install_passages
    from .services.semantic import install as install_semantic

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

    install_limits(app)

    # blueprints, hooks, errors, commands
    register_blueprints(app, api)
    register_auth(app)
    register_http_hooks(app)
    register_error_handlers(app)
    cli.register(app)

    # Outermost: stored representations answer repeated reads before Flask is involved.
    install_cache(app, app.config["REPRESENTATION_CACHE_BYTES"])
    # Outside it: request ids, JSON access log and metrics count every answer.
    install_observability(app)
    # Outermost: every body read whole first, so keep-alive connections survive (api/bodies.py).
    install_bodies(app)
    return app
