"""`flask mcp`: serve the MCP tools (api/mcp_server.py) over stdio or streamable HTTP.

Over stdio, stdout carries the protocol and nothing else: every log line, ours and the
MCP library's, goes to stderr.
"""

import logging
import sys

import click
from flask import Flask
from flask.cli import ScriptInfo

from .observability import json_handler

MCP_PATH = "/mcp"


def is_app_record(record: logging.LogRecord) -> bool:
    return record.name == "api" or record.name.startswith("api.")


def log_to_stderr(app: Flask) -> None:
    """Log other libraries' records (the MCP SDK's...) as JSON lines on stderr, like ours.

    Set up before the MCP server exists, so that its own logging setup (basicConfig) keeps
    this one; the app's records are left out, its own handler writes them already.
    """
    handler = json_handler()
    handler.addFilter(lambda record: not is_app_record(record))
    logging.basicConfig(level=app.config["LOG_LEVEL"].upper(), handlers=[handler])
    # One access line per tool call is ours (api.access); pinned to stderr whatever the default.
    app.extensions["observability"].access_log.stream = sys.stderr


@click.command("mcp")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio for a chatbot that starts the server itself; http for streamable HTTP.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP only.")
@click.option("--port", default=8765, show_default=True, type=int, help="HTTP only.")
@click.pass_context
def mcp_command(context: click.Context, transport: str, host: str, port: int) -> None:
    """Serve read-only MCP tools for chatbots (search, answers, entries, roles, comparisons)."""
    # Imported here: the MCP SDK takes most of a second to import, and every other command,
    # and every create_app, would pay for it.
    from .mcp_server import build_mcp_server

    # The app itself, not an app context: each tool call makes a request of its own.
    app = context.ensure_object(ScriptInfo).load_app()
    log_to_stderr(app)
    server = build_mcp_server(app)
    if transport == "stdio":
        server.run("stdio")
    else:
        click.echo(f"MCP over streamable HTTP at http://{host}:{port}{MCP_PATH}", err=True)
        server.run("streamable-http", host=host, port=port, streamable_http_path=MCP_PATH)
