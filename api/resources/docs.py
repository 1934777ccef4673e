"""/docs: interactive documentation from a local copy of Swagger UI (no CDN, works offline)."""

from pathlib import Path

from flask import Blueprint, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from ..formats import negotiates_itself

STATIC = Path(__file__).resolve().parent.parent / "static"

docs = Blueprint("docs", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Who Does What: API documentation</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""


@docs.get("/docs")
@negotiates_itself
def page() -> Response:
    return Response(PAGE, mimetype="text/html")


@docs.get("/docs/init.js")
@negotiates_itself
def init_script() -> Response:
    return send_from_directory(STATIC, "docs.js", mimetype="text/javascript")


@docs.get("/docs/assets/<path:filename>")
@negotiates_itself
def asset(filename: str) -> Response:
    return send_from_directory(str(swagger_ui_path), filename)
