"""Configuration, read from environment variables only.

Every variable, its default and its meaning is in one place: the table in docs/operations.md
(tests/test_config_docs.py checks that each variable the code reads has its row there, and
that each row names a variable something reads).
"""

import os
import re
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    DATABASE_URL = os.environ.get("DATABASE_URL", "")  # empty: SQLite under instance/
    DB_POOL_SIZE = _int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = _int("DB_MAX_OVERFLOW", 10)
    DB_POOL_TIMEOUT = _int("DB_POOL_TIMEOUT", 5)
    CORS_ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()]
    CACHE_MAX_AGE = _int("CACHE_MAX_AGE", 0)
    REPRESENTATION_CACHE_BYTES = _int("REPRESENTATION_CACHE_BYTES", 64 * 1024 * 1024)
    CACHE_CHECK_INTERVAL = float(os.environ.get("CACHE_CHECK_INTERVAL", "0.5"))
    REDIS_URL = os.environ.get("REDIS_URL", "")
    CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX", "who-does-what")
    RATE_LIMITS_ENABLED = os.environ.get("RATE_LIMITS_ENABLED", "1") != "0"
    RATE_LIMIT_READS = os.environ.get("RATE_LIMIT_READS", "1200/minute")
    RATE_LIMIT_SEARCH = os.environ.get("RATE_LIMIT_SEARCH", "300/minute")
    RATE_LIMIT_WRITES = os.environ.get("RATE_LIMIT_WRITES", "120/minute")
    RATE_LIMIT_PREFIX = os.environ.get("RATE_LIMIT_PREFIX", "who-does-what")
    RATE_LIMIT_AUTH_FAILURES = os.environ.get("RATE_LIMIT_AUTH_FAILURES", "10/minute")
    RATE_LIMIT_FEEDBACK = os.environ.get("RATE_LIMIT_FEEDBACK", "30/minute")
    API_KEY_CACHE_SECONDS = float(os.environ.get("API_KEY_CACHE_SECONDS", "5"))
    READYZ_CACHE_SECONDS = float(os.environ.get("READYZ_CACHE_SECONDS", "1"))
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    SEED_DIR = os.environ.get("SEED_DIR", str(PROJECT_ROOT / "seed"))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # One JSON line per request: stderr, stdout, off, or a file's path (appended to).
    ACCESS_LOG = os.environ.get("ACCESS_LOG", "stderr")
    SEMANTIC_SEARCH = os.environ.get("SEMANTIC_SEARCH", "1").lower() in ("1", "true", "yes", "on")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    # Signs answer ids (api/services/answer_ids.py). Empty: SECRET_KEY, else a key kept in the
    # instance folder. Every instance serving one database must share it.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    ANSWER_ID_KEY = os.environ.get("ANSWER_ID_KEY", "")
    # The questions asked, for the editors (api/services/query_log.py): 0 turns it off.
    QUERY_LOG = os.environ.get("QUERY_LOG", "1").lower() not in ("0", "false", "no", "off")
    QUERY_LOG_RETENTION_DAYS = _int("QUERY_LOG_RETENTION_DAYS", 30)

    # Requests larger than this are refused with 413 before they are read.
    MAX_CONTENT_LENGTH = 1024 * 1024

    # flask-smorest: the spec and where it is served.
    API_TITLE = "Who Does What"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    # /docs is served by api/resources/docs.py from a local copy of Swagger UI.
    OPENAPI_SWAGGER_UI_PATH = None


class TestConfig(Config):
    """The test suite's settings; tests/conftest.py sets DATABASE_URL per run."""

    TESTING = True
    CORS_ORIGINS = ["https://app.example"]
    # Limits are tested on their own (tests/test_rate_limits.py); elsewhere they would
    # turn the suite's bursts of requests into 429s.
    RATE_LIMITS_ENABLED = False
    # No access lines from the suite's thousands of requests; a test that reads them sets
    # the access log's stream (tests/test_observability.py).
    ACCESS_LOG = "off"


class ConfigError(click.ClickException):
    """A setting that cannot work, said in one line that names it (`flask` prints just that)."""


# The URL schemes make_engine (api/extensions.py) can serve: psycopg 3 and the stdlib sqlite3.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "sqlite", "sqlite+pysqlite")
DATABASE_URL_FORMS = "postgresql://user:password@host:5432/name or sqlite:///path/to/file.db"


def shown_url(url: str) -> str:
    """`url` with its password masked, fit for an error message or a log line."""
    return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


def check_database_url(url: str) -> None:
    """Refuse, in one line naming DATABASE_URL, a URL that cannot name a database we serve.

    Empty is fine (SQLite under instance/). Whether the server answers is checked when a
    command first connects (api/cli.py), not here: a server may start before its database.
    """
    if not url:
        return
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL={shown_url(url)!r} is not a database URL; expected {DATABASE_URL_FORMS}"
        ) from None
    if parsed.drivername not in DATABASE_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL names {parsed.drivername!r}, which this app cannot use; "
            f"expected {DATABASE_URL_FORMS}"
        )
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"DATABASE_URL gives port {port}; a port is 1 to 65535")
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ConfigError(
                f"DATABASE_URL points at the SQLite file {parsed.database}, but the folder "
                f"{folder} does not exist"
            )
