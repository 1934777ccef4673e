"""The explorer at /: a small frontend (api/static/explorer/) that reads only the public API.

Plain files, no build step and nothing inline, so it runs under the HTML Content-Security-Policy
(api/http.py): scripts, styles and fetches from this origin only.
"""

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from ..formats import negotiates_itself

EXPLORER = Path(__file__).resolve().parent.parent / "static" / "explorer"

explorer = Blueprint("explorer", __name__)


@explorer.get("/")
@negotiates_itself
def page() -> Response:
    return send_from_directory(EXPLORER, "index.html", mimetype="text/html")


@explorer.get("/explorer/<path:filename>")
@negotiates_itself
def asset(filename: str) -> Response:
    """The page's script, styles and icon (send_from_directory refuses paths outside)."""
    return send_from_directory(EXPLORER, filename)
