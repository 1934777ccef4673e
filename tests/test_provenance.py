"""Provenance: every entry names its sources, and every representation shows them."""

import json
import re
import shutil
from pathlib import Path

import pytest

from api.registry import COLLECTIONS
from api.services.compare import ASPECTS
from api.services.history import writable_content
from api.services.seeding import SeedError, seed

from .conftest import bearer

SEED = Path(__file__).resolve().parent.parent / "seed"
A1 = "developer-vs-devops-who-does-what"
A2 = "developer-vs-devops-whats-the-difference"
EDITORIAL = "editorial"
SOURCED = [c for c in COLLECTIONS if hasattr(c.model, "sources")]


def fixture(name: str) -> list[dict]:
    return json.loads((SEED / f"{name}.json").read_text())


def citing(collection: str, resource: str) -> set[str]:
    """Slugs of the fixture entries of `collection` that cite `resource`, read from seed/."""
    return {
        entry["slug"]
        for entry in fixture(collection)
        if any(source["resource"] == resource for source in entry.get("sources", []))
    }


def test_every_collection_but_the_resources_cites_sources():
    assert {c.name for c in COLLECTIONS} - {c.name for c in SOURCED} == {"resources"}


@pytest.mark.parametrize("collection", [c.name for c in SOURCED])
def test_every_entry_has_a_source(client, collection):
    missing = [entry["slug"] for entry in fixture(collection) if not entry.get("sources")]
    assert not missing
    served = client.get(f"/v1/{collection}?page_size=100").json
    assert len(served) == len(fixture(collection))
    assert all(entry["sources"] for entry in served)


def test_the_sources_are_the_two_articles_or_the_editors():
    kinds = {r["slug"]: r["kind"] for r in fixture("resources")}
    assert kinds[A1] == kinds[A2] == "source"
    assert kinds[EDITORIAL] == "editorial"
    cited = {s["resource"] for c in SOURCED for e in fixture(c.name) for s in e["sources"]}
    assert cited == {A1, A2, EDITORIAL}


def test_a_source_is_shown_with_its_title_section_and_fields(client):
    role = client.get("/v1/roles/site-reliability-engineer").json
    titles = {r["slug"]: r["title"] for r in client.get("/v1/resources").json}
    for source in role["sources"]:
        assert source["title"] == titles[source["resource"]]
    editorial = [s for s in role["sources"] if s["resource"] == EDITORIAL]
    assert editorial and all(s["fields"] and s["note"] for s in editorial)


@pytest.mark.parametrize("slug", [r["slug"] for r in fixture("roles")])
def test_every_matrix_cell_of_every_role_is_backed_by_a_source(slug):
    role = next(r for r in fixture("roles") if r["slug"] == slug)
    backed = set()
    for source in role["sources"]:
        backed |= set(source.get("fields") or [aspect for aspect, _ in ASPECTS])
    assert {aspect for aspect, _ in ASPECTS} <= backed


def test_compare_names_the_source_of_every_cell(client):
    roles = fixture("roles")
    body = client.get(f"/v1/compare?roles={','.join(r['slug'] for r in roles)}").json
    for row in body["matrix"]:
        for role in roles:
            expected = [
                s["resource"]
                for s in role["sources"]
                if not s.get("fields") or row["aspect"] in s["fields"]
            ]
            cited = body_sources = row["sources"][role["slug"]]
            assert [s["resource"] for s in cited] == expected, (role["slug"], row["aspect"])
            assert all(s["title"] and s["url"] == f"/v1/resources/{s['resource']}" for s in cited)
            assert body_sources
    # What the articles do not give is marked as the editors'.
    output = next(row for row in body["matrix"] if row["aspect"] == "output")
    assert [s["resource"] for s in output["sources"]["site-reliability-engineer"]] == [EDITORIAL]
    assert [s["resource"] for s in output["sources"]["developer"]] == [A1]


@pytest.mark.parametrize(
    ("collection", "resource"),
    [("faqs", A2), ("faqs", A1), ("faqs", EDITORIAL), ("tools", EDITORIAL), ("roles", A2)],
)
def test_lists_filter_by_source(client, collection, resource):
    response = client.get(f"/v1/{collection}?source={resource}&page_size=100")
    assert response.status_code == 200
    assert {e["slug"] for e in response.json} == citing(collection, resource)
    assert response.json, "the fixtures cite this source"


def test_a_source_filter_naming_nothing_is_empty_and_a_malformed_one_is_422(client):
    assert client.get("/v1/faqs?source=no-such-resource").json == []
    response = client.get("/v1/faqs?source=Not%20a%20slug")
    assert response.status_code == 422
    assert "source" in response.json["errors"]


def test_markdown_lists_the_sources_by_title(client):
    text = client.get("/v1/roles/platform-engineer?format=markdown").get_data(as_text=True)
    sources = text[text.index("## Sources") :]
    assert "[*Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)*]" in sources
    assert "8. SRE vs. Platform Engineering vs. DevOps" in sources
    assert "(/v1/resources/editorial)" in sources
    assert "philosophy, pain_points" in sources


def test_compare_markdown_numbers_each_cells_sources(client):
    text = client.get("/v1/compare?roles=developer,platform-engineer&format=markdown").get_data(
        as_text=True
    )
    row = next(line for line in text.splitlines() if line.startswith("| Philosophy |"))
    notes = dict(re.findall(r"^\[(\d+)\]: (.+)$", text, flags=re.M))
    marks = re.findall(r"\[(\d+)\]", row)
    assert {notes[m].split("]")[0] for m in marks} == {
        "[*Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)*",
        "[*Who Does What editors*",
    }


def test_json_ld_cites_the_sources(client):
    page = client.get(
        "/v1/faqs/what-is-kubernetes-used-for", headers={"Accept": "application/ld+json"}
    ).json
    [question] = page["mainEntity"]
    citations = question["citation"]
    works = [c.get("isPartOf", c) for c in citations]
    assert {w["@id"] for w in works} == {f"/v1/resources/{A1}", f"/v1/resources/{EDITORIAL}"}
    assert {'The "Outer Loop" of Engineering', "7. Technical Comparison Matrix"} <= {
        c["name"] for c in citations
    }


def test_section_headings_are_not_searched_as_content(client):
    # "Masterclass" is only in the name of the first article's opening section.
    hits = client.get("/v1/search?q=masterclass&type=faq,tool,role").json
    assert hits["total"] == 0


# Phrases that only make sense next to an article the reader cannot see.
UNNAMED = re.compile(r"source article|in this picture|sample day|the sample\b", re.I)
THE_ARTICLE = re.compile(r"\b[Tt]he (article|guide|post)\b")
NAMED = re.compile(r"\*[^*]+\*|Cloudastra")


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


@pytest.mark.parametrize("collection", [c.name for c in COLLECTIONS])
def test_text_names_the_article_it_refers_to(collection):
    vague = []
    for text in _texts(fixture(collection)):
        if UNNAMED.search(text):
            vague.append(text)
        for found in THE_ARTICLE.finditer(text):
            if not NAMED.search(text[: found.start()]):
                vague.append(text)
    assert not vague


@pytest.fixture
def fixtures(tmp_path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def _edit(seed_dir: Path, name: str, change) -> None:
    path = seed_dir / f"{name}.json"
    entries = json.loads(path.read_text())
    change(entries)
    path.write_text(json.dumps(entries))


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        ({"resource": "no-such-article"}, "sources.0.resource", "Unknown resource slug"),
        ({"resource": A1, "fields": ["ouput"]}, "sources", "ouput"),
        ({"resource": A1, "fields": ["roles:nobody"]}, "sources", "roles:nobody"),
        ({"resource": A1, "page": 3}, "sources.0.page", "Unknown field"),
    ],
)
def test_the_seed_loader_refuses_a_bad_source(session, fixtures, source, field, message):
    def cite(entries):
        entries[0]["sources"] = [source]

    _edit(fixtures, "faqs", cite)
    with pytest.raises(SeedError) as raised:
        seed(session, fixtures)
    session.rollback()
    [error] = raised.value.messages
    assert "faqs.json: entry 0" in error and f"field '{field}" in error and message in error


@pytest.fixture(scope="module")
def writer(writable_app):
    return writable_app.test_client(), bearer(writable_app, "provenance")


def test_a_source_copied_from_a_get_is_written_back_unchanged(writer):
    client, editor = writer
    response = client.get("/v1/tools/kubernetes")
    body = {
        k: v
        for k, v in response.json.items()
        if k not in ("version", "created_at", "updated_at", "links")
    }
    assert all("title" in s for s in body["sources"])
    put = client.put(
        "/v1/tools/kubernetes", json=body, headers={**editor, "If-Match": response.headers["ETag"]}
    )
    assert put.status_code == 200, put.json
    assert put.json["version"] == response.json["version"]


def test_a_write_naming_a_field_the_entry_lacks_is_422(writer):
    client, editor = writer
    body = {
        "slug": "provenance-tag",
        "name": "Provenance",
        "summary": "A tag.",
        "sources": [{"resource": A1, "fields": ["summary", "colour"]}],
    }
    response = client.post("/v1/tags", json=body, headers=editor)
    assert response.status_code == 422
    assert "colour" in json.dumps(response.json["errors"]["sources"])


def test_a_cited_resource_cannot_be_deleted(writer):
    client, editor = writer
    etag = client.get(f"/v1/resources/{A2}").headers["ETag"]
    response = client.delete(f"/v1/resources/{A2}", headers={**editor, "If-Match": etag})
    assert response.status_code == 409
    everyone = {f"{c.name}/{slug}" for c in SOURCED for slug in citing(c.name, A2)}
    named = response.json["errors"]["references"]
    assert named and set(named) <= everyone


@pytest.mark.parametrize("collection", [c for c in SOURCED], ids=lambda c: c.name)
def test_the_fixtures_hold_sources_as_the_api_writes_them(client, collection):
    """A source's title is shown from its resource: it is neither written nor exported."""
    served = {
        e["slug"]: writable_content(collection, e)["sources"]
        for e in client.get(f"/v1/{collection.name}?page_size=100").json
    }
    assert served == {e["slug"]: e["sources"] for e in fixture(collection.name)}
