"""Markdown, JSON-LD and pretty JSON: the same content for terminals, chatbots and crawlers."""

import json
import re
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parent.parent / "seed"
FAQS = {faq["slug"]: faq for faq in json.loads((SEED / "faqs.json").read_text())}
ROLES = {role["slug"]: role for role in json.loads((SEED / "roles.json").read_text())}
MARKDOWN = {"Accept": "text/markdown"}


def test_an_entry_reads_as_markdown(client):
    response = client.get("/v1/tools/docker", headers=MARKDOWN)
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    tool = client.get("/v1/tools/docker").json
    text = response.get_data(as_text=True)
    assert text.startswith(f"# {tool['name']}\n")
    assert tool["summary"] in text
    assert f"Source: </v1/tools/docker>, version {tool['version']}" in text
    assert "created_at" not in text and "{" not in text


def test_nested_stages_read_as_a_numbered_list(client):
    text = client.get("/v1/workflows/delivery-pipeline?format=markdown").get_data(as_text=True)
    stages = client.get("/v1/workflows/delivery-pipeline").json["stages"]
    numbered = [line for line in text.splitlines() if line.startswith("1. ")]
    assert len(numbered) == len(stages)
    assert stages[0]["name"] in numbered[0]


def test_a_list_reads_as_markdown_links_with_the_total(client):
    response = client.get("/v1/faqs?page_size=5", headers=MARKDOWN)
    text = response.get_data(as_text=True)
    links = re.findall(r"^- \[([^\]]+)\]\((/v1/faqs/[a-z0-9-]+)\)", text, re.MULTILINE)
    assert len(links) == 5
    for question, url in links:
        assert FAQS[url.rsplit("/", 1)[1]]["question"] == question
    assert f"(5 of {len(FAQS)})" in text.splitlines()[0]


def test_an_answer_reads_as_markdown_with_its_source(client):
    text = client.get("/v1/answers?q=do devops folks even write code", headers=MARKDOWN).get_data(
        as_text=True
    )
    faq = FAQS["do-devops-engineers-write-code"]
    assert f"**{faq['question']}**" in text
    assert faq["answer"] in text
    assert "Source: </v1/faqs/do-devops-engineers-write-code>, version 1" in text


def test_an_unanswered_question_says_so_in_markdown(client):
    text = client.get("/v1/answers?q=zebra migration patterns", headers=MARKDOWN).get_data(
        as_text=True
    )
    assert "No confident answer" in text


def test_a_comparison_reads_as_a_markdown_table(client):
    text = client.get("/v1/compare?roles=developer,devops-engineer&format=markdown").get_data(
        as_text=True
    )
    rows = [line for line in text.splitlines() if line.startswith("| Key metric")]
    assert len(rows) == 1
    for slug in ("developer", "devops-engineer"):
        assert ROLES[slug]["key_metric"] in rows[0]
    assert "## Tools" in text and "**Shared:**" in text


def test_search_and_root_read_as_markdown(client):
    search = client.get("/v1/search?q=kubernetes&format=markdown").get_data(as_text=True)
    assert "[Kubernetes](/v1/tools/kubernetes)" in search
    assert "<mark>" not in search
    root = client.get("/v1", headers=MARKDOWN).get_data(as_text=True)
    assert "[FAQ](/v1/faqs)" in root


def test_a_faq_entry_is_a_schema_org_faq_page(client):
    response = client.get(
        "/v1/faqs/do-devops-engineers-write-code", headers={"Accept": "application/ld+json"}
    )
    assert response.mimetype == "application/ld+json"
    page = response.json
    assert page["@context"] == "https://schema.org"
    assert page["@type"] == "FAQPage"
    [question] = page["mainEntity"]
    faq = FAQS["do-devops-engineers-write-code"]
    assert question["@type"] == "Question"
    assert question["name"] == faq["question"]
    assert question["acceptedAnswer"] == {"@type": "Answer", "text": faq["answer"]}
    assert question["@id"].endswith("/v1/faqs/do-devops-engineers-write-code")


def test_the_faq_list_is_one_faq_page(client):
    page = client.get("/v1/faqs?page_size=100&format=jsonld").json
    assert {q["name"] for q in page["mainEntity"]} == {f["question"] for f in FAQS.values()}


@pytest.mark.parametrize(
    "url", ["/v1/tools/docker?format=jsonld", "/v1/changes?format=markdown", "/v1/x?format=md"]
)
def test_a_format_the_operation_lacks_is_422_naming_those_it_has(client, url):
    response = client.get(url)
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        assert "Must be one of: json" in response.json["errors"]["format"][0]


def test_an_accept_nobody_serves_is_406_naming_what_is_served(client):
    response = client.get("/v1/tools/docker", headers={"Accept": "application/ld+json"})
    assert response.status_code == 406
    assert "application/json, text/markdown" in response.json["detail"]


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/v1/tools/docker?pretty=1", {}),
        ("/v1/tools/docker", {"Accept": "application/json; indent=2"}),
    ],
)
def test_pretty_json_is_the_same_json_indented(client, url, headers):
    compact = client.get("/v1/tools/docker")
    pretty = client.get(url, headers=headers)
    assert pretty.status_code == 200
    assert pretty.json == compact.json
    assert pretty.get_data(as_text=True).startswith('{\n  "slug"')
    assert pretty.headers["ETag"] != compact.headers["ETag"]


def test_errors_are_pretty_too_and_a_bad_pretty_is_422(client):
    assert client.get("/v1/tools/nope?pretty=1").get_data(as_text=True).startswith("{\n  ")
    response = client.get("/v1/tools?pretty=banana")
    assert response.status_code == 422
    assert "pretty" in response.json["errors"]


def test_each_representation_has_its_own_etag_and_revalidates(client):
    etags = set()
    for headers in ({}, MARKDOWN, {"Accept": "application/ld+json"}):
        url = "/v1/faqs/do-devops-engineers-write-code"
        first = client.get(url, headers=headers)
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        etags.add(first.headers["ETag"])
    assert len(etags) == 3


def test_stored_representations_do_not_mix_formats(client):
    """The representation cache keys by Accept: JSON after Markdown is still JSON."""
    for _ in range(2):
        assert client.get("/v1/tools/git", headers=MARKDOWN).mimetype == "text/markdown"
        assert client.get("/v1/tools/git").mimetype == "application/json"


def test_unknown_parameters_are_told_what_the_operation_accepts(client):
    response = client.get("/v1/tools?colour=red")
    assert response.status_code == 422
    message = response.json["errors"]["colour"][0]
    assert "category" in message and "page_size" in message


def test_llms_txt_links_markdown_views_that_answer(client):
    response = client.get("/llms.txt")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("# Who Does What\n\n> ")
    links = re.findall(r"\]\((/[^)]+)\)", text)  # relative: never built from the Host
    markdown_links = [link for link in links if "format=markdown" in link]
    assert len(markdown_links) >= 12 + 3
    for link in markdown_links:
        answer = client.get(link)
        assert answer.status_code == 200, link
        assert answer.mimetype == "text/markdown", link


def test_llms_txt_tells_the_answer_statuses_and_links_citable_passages(client):
    text = client.get("/llms.txt").get_data(as_text=True)
    for status in ("answered", "ambiguous", "no_match", "out_of_domain"):
        assert f"`{status}`" in text, status
    assert "#fragment" in text
    links = re.findall(r"\]\((/[^)]+)\)", text)
    passages = [link for link in links if link.startswith("/v1/passages?")]
    assert len(passages) == 1
    answer = client.get(passages[0])
    assert answer.status_code == 200
    assert answer.json["passages"]
    assert all("#" in p["url"] for p in answer.json["passages"])


def test_the_spec_documents_the_representations(client):
    spec = client.get("/openapi.json").json
    faq = spec["paths"]["/v1/faqs/{slug}"]["get"]
    assert set(faq["responses"]["200"]["content"]) == {
        "application/json",
        "text/markdown",
        "application/ld+json",
    }
    names = {p["name"]: p for p in faq["parameters"]}
    assert names["format"]["schema"]["enum"] == ["json", "markdown", "jsonld"]
    assert "pretty" in names
    changes = spec["paths"]["/v1/changes"]["get"]
    assert "format" not in {p["name"] for p in changes["parameters"]}
