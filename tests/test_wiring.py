"""The wiring: the WSGI layers in the order create_app states, and imports without cycles."""

import ast
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from api import create_app
from api.bodies import ReadWholeBody
from api.cache import RepresentationCache
from api.config import TestConfig
from api.observability import Observability

API = Path(__file__).resolve().parent.parent / "api"


def layers(wsgi_app) -> list:
    found = []
    while hasattr(wsgi_app, "app"):
        found.append(type(wsgi_app))
        wsgi_app = wsgi_app.app
    return found


def test_the_wsgi_layers_are_in_the_stated_order(database_url, app):
    assert layers(app.wsgi_app) == [ReadWholeBody, Observability, RepresentationCache]
    behind_proxy = create_app(
        type("Proxied", (TestConfig,), {"DATABASE_URL": database_url, "TRUSTED_PROXIES": 1})
    )
    assert layers(behind_proxy.wsgi_app) == [
        ReadWholeBody,
        Observability,
        RepresentationCache,
        ProxyFix,
    ]
    assert behind_proxy.extensions["observability"] is behind_proxy.wsgi_app.app
    # Flask's own wsgi_app is what the innermost layer calls.
    assert behind_proxy.wsgi_app.app.app.app.app.__func__ is type(behind_proxy).wsgi_app


def module_name(path: Path) -> str:
    parts = path.relative_to(API.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The api modules `path` imports, at load time or later (inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from . import markdown` imports api.markdown; `from .x import y`, api.x.
            submodules = {f"{source}.{alias.name}" for alias in node.names} & modules
            found |= submodules or {source}
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & modules


# Cycles known and left to their modules' owners: each is a list of the modules in it, from
# the first in alphabetical order. (The one this test found, search -> passage_store ->
# semantic -> search, went when indexing left services/search.py for services/indexing.py.)
KNOWN_CYCLES: list[list[str]] = []


def test_no_import_cycles_among_api_modules():
    """Late imports (inside functions) count: they hide a cycle, they do not remove it. The
    one exception is create_app's: the package imports its modules to build the app."""
    paths = {module_name(p): p for p in API.rglob("*.py") if "migrations" not in p.parts}
    graph = {name: imports(path, name, set(paths)) - {name} for name, path in paths.items()}
    graph["api"] = set()
    cycles = []

    def visit(name: str, stack: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in stack:
                cycle = stack[stack.index(target) :]
                # A package importing its own submodules is how packages work, not a cycle.
                if not all(m.startswith(cycle[0] + ".") for m in cycle[1:]):
                    first = cycle.index(min(cycle))
                    cycles.append(cycle[first:] + cycle[:first])
            elif target not in done:
                visit(target, [*stack, target])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert [cycle for cycle in cycles if cycle not in KNOWN_CYCLES] == []
