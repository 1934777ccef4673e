"""The API root (/v1) and the health checks (/healthz, /readyz)."""

from flask import current_app
from sqlalchemy import text

from schemas.meta import HealthSchema, RootSchema

from ..extensions import db
from ..registry import COLLECTIONS
from ..services.entries import count_entries
from .openapi_docs import READ_HEADERS, Blueprint
from .representation import json_response

DESCRIPTION = (
    "A knowledge API about the people who build and run software: developers, DevOps "
    "engineers, SREs and platform engineers; their responsibilities, tools, metrics, "
    "workflows and the questions people ask about them."
)


def meta_blueprint() -> Blueprint:
    """The root and health routes."""
    meta = Blueprint("meta", __name__, description="The API root and health checks.")

    @meta.route("/v1")
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
                "url": f"/v1/{c.name}",
                "count": counts[c.model],
            }
            for c in COLLECTIONS
        ]
        return json_response(
            {
                "name": current_app.config["API_TITLE"],
                "version": current_app.config["API_VERSION"],
                "description": DESCRIPTION,
                "collections": collections,
                "links": {"docs": "/docs", "openapi": "/openapi.json", "health": "/healthz"},
            }
        )

    @meta.route("/healthz")
    @meta.doc(
        operationId="getHealth", summary="Liveness", description="200 while the process lives."
    )
    @meta.response(200, HealthSchema, headers=READ_HEADERS)
    def healthz():
        return json_response({"status": "ok"}, headers={"Cache-Control": "no-store"})

    @meta.route("/readyz")
    @meta.doc(
        operationId="getReadiness",
        summary="Readiness",
        description="200 when the database answers; 503 problem details when it does not.",
    )
    @meta.response(200, HealthSchema, headers=READ_HEADERS)
    @meta.alt_response(503, response="SERVICE_UNAVAILABLE")
    def readyz():
        db.session.execute(text("SELECT 1"))  # errors.py answers 503 when it fails
        return json_response({"status": "ready"}, headers={"Cache-Control": "no-store"})

    return meta
