"""Reads issue a number of SQL statements that grows with neither the page nor what is embedded.

Every collection's list and item, with no `expand`, each `expand` value and all of them:
a list of 50 costs what a list of one costs, and an item costs at most a small fixed number,
however many entries it embeds. Counted on the engine (`before_cursor_execute`), on an app
without the representation cache, so that every request reaches the database.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.registry import COLLECTIONS

# The entry, one query per list of related rows shown and per relation of the embedded
# entries (19 at most today, for a role with everything expanded), with room for a relation
# or two more: a lazy load per embedded entry goes far beyond (207 before, for that role).
ITEM_BOUND = 25


def expansions(collection) -> list[tuple[str, ...]]:
    """No expand, each value alone, and all of them together."""
    names = tuple(collection.schema.EXPAND)
    return [(), *((name,) for name in names), *([names] if len(names) > 1 else [])]


CASES = [(c, expand) for c in COLLECTIONS for expand in expansions(c)]
IDS = [f"{c.name}-{'+'.join(expand) or 'plain'}" for c, expand in CASES]


@pytest.fixture(scope="module")
def uncached(app, database_url):
    """The seeded database behind an app that stores no representations."""
    config = {"DATABASE_URL": database_url, "REPRESENTATION_CACHE_BYTES": 0}
    return create_app(type("UncachedConfig", (TestConfig,), config))


@contextmanager
def counted(app) -> Iterator[list[str]]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(app, url: str) -> int:
    client = app.test_client()
    client.get(url)  # a first request may read settings or warm caches of its own
    with counted(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return len(seen)


def query(expand: tuple[str, ...], **args) -> str:
    if expand:
        args["expand"] = ",".join(expand)
    return "&".join(f"{key}={value}" for key, value in args.items())


def richest(app, collection, expand: tuple[str, ...]) -> tuple[int, str]:
    """The place in the list (from 1) and the slug of the entry that embeds the most.

    A list of one entry that embeds nothing skips the queries for the embedded entries'
    relations: comparing with the richest entry compares like with like.
    """
    body = app.test_client().get(f"/v1/{collection.name}?page_size=100").get_json()

    def size(entry: dict) -> tuple[int, int]:
        values = [entry.get(name) for name in expand or collection.schema.EXPAND]
        counts = [len(v) if isinstance(v, list) else int(v is not None) for v in values]
        return (min(counts, default=0), sum(counts))

    index = max(range(len(body)), key=lambda i: size(body[i]))
    return index + 1, body[index]["slug"]


@pytest.mark.parametrize(("collection", "expand"), CASES, ids=IDS)
def test_a_list_costs_the_same_whatever_its_size(uncached, collection, expand):
    place, _ = richest(uncached, collection, expand)
    base = f"/v1/{collection.name}?"
    one = statements(uncached, base + query(expand, page=place, page_size=1))
    fifty = statements(uncached, base + query(expand, page_size=50))
    assert fifty == one


@pytest.mark.parametrize(("collection", "expand"), CASES, ids=IDS)
def test_an_item_costs_a_bounded_number_of_statements(uncached, collection, expand):
    _, slug = richest(uncached, collection, expand)
    url = f"/v1/{collection.name}/{slug}?{query(expand)}"
    assert statements(uncached, url) <= ITEM_BOUND


@pytest.mark.parametrize("representation", ["markdown", "jsonld"])
def test_other_representations_cost_what_json_costs(uncached, representation):
    """Markdown and JSON-LD are rendered from the JSON body: they load nothing more."""
    for url in ("/v1/faqs/devops-vs-sre?expand=roles,tags", "/v1/faqs?page_size=50&expand=roles"):
        as_json = statements(uncached, url)
        assert statements(uncached, f"{url}&format={representation}") == as_json


def test_the_worst_case_of_the_issue(uncached):
    """`/v1/roles/developer?expand=tools` cost 50 statements on SQLite, 41 of them lazy
    loads of the tools' roles and sources; now 10 (9 on PostgreSQL, which sends no BEGIN)."""
    assert statements(uncached, "/v1/roles/developer?expand=tools") <= 12
