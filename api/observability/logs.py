"""The application's own log records (not the access log) as JSON lines on stderr."""

import json
import logging
import sys
import time

from flask import Flask
from flask.logging import default_handler


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    RESERVED = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_handler() -> logging.Handler:
    """A handler writing JSON lines (UTC times) to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.formatter.converter = time.gmtime
    return handler


def configure_logging(app: Flask) -> None:
    """The app's loggers ("api", "api.errors", ...) write JSON lines to stderr.

    Done once per process (several apps share the "api" logger); records still propagate,
    so a handler set up on the root logger by a host (or pytest) sees them too.
    """
    logger = app.logger
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.removeHandler(default_handler)
    # The development server's own request lines would repeat ours, query strings included.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        logger.addHandler(json_handler())
