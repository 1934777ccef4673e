"""The API root (/v1) and the health checks (/healthz, /readyz)."""

import threading
import time

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from schemas.meta import HealthSchema, RootSchema

from .. import markdown
from ..extensions import db
from ..formats import representations
from ..registry import COLLECTIONS
from ..services.entries import count_entries
from ..urls import collection_url
from .openapi_docs import READ_HEADERS, Blueprint

DESCRIPTION = (
    "A knowledge API about the people who build and run software: developers, DevOps "
    "engineers, SREs and platform engineers; their responsibilities, tools, metrics, "
    "workflows and the questions people ask about them."
)


class Readiness:
    """The database check behind /readyz, reused for READYZ_CACHE_SECONDS.

    /readyz is exempt from rate limits (probes must not be refused), so its cost is bounded
    here instead: one query per interval per process, whatever the number of calls. A failure
    is reused too, so a flood of probes does not turn into a flood of connection attempts.
    """

    UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)

    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.error: Exception | None = None

    def check(self, session: Session, interval: float) -> None:
        """Raise the database's error (errors.py answers 503) if it did not answer lately."""
        if time.monotonic() - self.checked_at >= interval:
            with self.lock:
                if time.monotonic() - self.checked_at >= interval:
                    try:
                        session.execute(text("SELECT 1"))
                        self.error = None
                    except self.UNAVAILABLE as exc:
                        self.error = exc
                    self.checked_at = time.monotonic()
        if self.error is not None:
            raise self.error.with_traceback(None)


def meta_blueprint() -> Blueprint:
    """The root and health routes."""
    meta = Blueprint("meta", __name__, description="The API root and health checks.")
    readiness = Readiness()  # blueprints are built per app, so this is per app and process

    @meta.route("/v1")
    @representations(markdown=markdown.root)
    @meta.doc(
        operationId="getRoot",
        summary="List every collection",
        description="The entry point: every collection with its URL and size, and links to "
        "the docs and the OpenAPI spec. Start here.",
    )
    @meta.response(200, RootSchema, headers=READ_HEADERS)
    def root():
        counts = count_entries(db.session, [c.model for c in COLLECTIONS])
        collections = [
            {
                "name": c.name,
                "title": c.title,
                "description": c.description,
                "url": collection_url(c.name),
                "count": counts[c.model],
            }
            for c in COLLECTIONS
        ]
        return {  # written through RootSchema
            "name": current_app.config["API_TITLE"],
            "version": current_app.config["API_VERSION"],
            "description": DESCRIPTION,
            "collections": collections,
            "links": {"docs": "/docs", "openapi": "/openapi.json", "health": "/healthz"},
        }

    @meta.route("/healthz")
    @meta.doc(
        operationId="getHealth", summary="Liveness", description="200 while the process lives."
    )
    @meta.response(200, HealthSchema, headers=READ_HEADERS)
    def healthz():
        return {"status": "ok"}, {"Cache-Control": "no-store"}

    @meta.route("/readyz")
    @meta.doc(
        operationId="getReadiness",
        summary="Readiness",
        description="200 when the database answers; 503 problem details when it does not.",
    )
    @meta.response(200, HealthSchema, headers=READ_HEADERS)
    @meta.alt_response(503, response="SERVICE_UNAVAILABLE")
    def readyz():
        readiness.check(db.session, current_app.config["READYZ_CACHE_SECONDS"])
        return {"status": "ready"}, {"Cache-Control": "no-store"}

    return meta
