"""The committed spec as other tools read it: Redocly's `recommended` rules, Spectral's `oas`
rules, and every `pattern` compiled as JavaScript clients compile it (ECMAScript, `u` flag).

Node and the two linters (pinned in tools/spec-lint/package-lock.json, installed by
`make test` with `npm ci`) are needed: without them these tests fail, they do not skip.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from .conftest import ROOT

SPEC = ROOT / "openapi" / "openapi.json"
TOOLS = ROOT / "tools" / "spec-lint"
INSTALL = "run `make test` (or `npm ci --ignore-scripts --prefix tools/spec-lint`)"
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}

# Reads a JSON list of patterns on stdin; writes the ones `new RegExp(p, "u")` refuses.
COMPILE_ALL = """
const patterns = JSON.parse(require("fs").readFileSync(0, "utf8"));
const refused = [];
for (const pattern of patterns) {
  try { new RegExp(pattern, "u"); } catch (error) { refused.push([pattern, error.message]); }
}
process.stdout.write(JSON.stringify(refused));
"""


def patterns(node) -> set[str]:
    """Every `pattern` string in a JSON document (a property *named* pattern is a dict)."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.add(value)
            else:
                found |= patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= patterns(value)
    return found


def node() -> str:
    path = shutil.which("node")
    assert path, "node (v20 or later) is needed to check the spec as JavaScript clients read it"
    return path


def tool(name: str) -> Path:
    path = TOOLS / "node_modules" / ".bin" / name
    assert path.exists(), f"{name} is not installed: {INSTALL}"
    return path


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **QUIET}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)


def test_every_pattern_compiles_as_an_ecmascript_regex_in_unicode_mode():
    found = sorted(patterns(json.loads(SPEC.read_text())))
    assert len(found) > 5, found  # slugs, field lists, sort keys, cursors, times...
    result = run([node(), "-e", COMPILE_ALL], input=json.dumps(found), timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_checker_refuses_what_javascript_refuses():
    """The node check above can fail: an escaped hyphen is an error in Unicode mode."""
    result = run([node(), "-e", COMPILE_ALL], input=json.dumps([r"^a\-b$", "^a-b$"]), timeout=60)
    assert [pattern for pattern, _ in json.loads(result.stdout)] == [r"^a\-b$"]


def test_redocly_recommended_rules_find_nothing():
    command = [tool("redocly"), "lint", "--config", TOOLS / "redocly.yaml", SPEC, "--format=json"]
    result = run(command, timeout=300)
    report = json.loads(result.stdout)
    problems = [
        f"{p['severity']} {p['ruleId']} at {p['location'][0]['pointer']}: {p['message']}"
        for p in report["problems"]
    ]
    assert problems == []
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}
    assert result.returncode == 0, result.stderr


def test_spectral_oas_rules_find_nothing():
    command = [tool("spectral"), "lint", "--ruleset", TOOLS / ".spectral.yaml", SPEC]
    result = run([*command, "--format=json", "--fail-severity=hint", "--quiet"], timeout=300)
    problems = [
        f"{p['code']} at {'/'.join(map(str, p['path']))}: {p['message']}"
        for p in json.loads(result.stdout)
    ]
    assert problems == []
    assert result.returncode == 0, result.stdout + result.stderr
