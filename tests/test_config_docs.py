"""The configuration lives in one table (docs/operations.md): every variable the code or the
Makefile reads has its row, and every row names a variable something reads."""

import re

from .conftest import ROOT

# WSGI and CGI keys of a request's environ are not configuration.
REQUEST_KEYS = re.compile(r"^(HTTP_|CONTENT_|PATH_INFO|QUERY_STRING|REMOTE_|REQUEST_|SERVER_)")
# Make's and the tools' own variables, set for them, not for us.
TOOL_VARIABLES = {"PYTHON", "NPM", "PYTEST_ARGS"}


def documented() -> set[str]:
    table = (ROOT / "docs" / "operations.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def read_by_the_code() -> set[str]:
    names = set()
    for path in [*(ROOT / "api").rglob("*.py"), ROOT / "tests" / "conftest.py"]:
        text = path.read_text()
        names |= set(re.findall(r"environ(?:\.get|\.setdefault)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"environ\[\"([A-Z][A-Z0-9_]+)\"\]", text))
        names |= set(re.findall(r"_(?:int|float|bool)\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    makefile = (ROOT / "Makefile").read_text()
    names |= set(re.findall(r"^([A-Z][A-Z0-9_]+) \?=", makefile, re.M)) - TOOL_VARIABLES
    names |= set(re.findall(r"\$\$([A-Z][A-Z0-9_]+)", makefile))
    return {n for n in names if not REQUEST_KEYS.match(n)}


def test_every_variable_read_has_its_row():
    assert read_by_the_code() - documented() == set()


def test_every_row_names_a_variable_something_reads():
    assert documented() - read_by_the_code() == set()
