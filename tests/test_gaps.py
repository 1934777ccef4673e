"""GET /v1/analytics/gaps: who may read it, its window and filters, grouping by meaning and by
words, and suggestions that are the API's own writes (FAQ examples stay within 3 to 6)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from api.extensions import db
from api.models.analytics import AnswerFeedback, QueryLog
from api.services.gaps import Asking, group_by_meaning, group_by_words
from schemas.faqs import EXAMPLES_MAX

from .conftest import bearer

URL = "/v1/analytics/gaps"
NOW = datetime.now(UTC)
CANARY = [
    "release to 5% of users first then everyone",
    "how to roll out a change to a small group before all users",
    "ship the new build to a few users first",
]
REVIEW = [
    "how do code reviews work in a team",
    "what should i look for when reviewing a pr",
    "tips for reviewing a colleague's code",
]
FLAGS = [
    "what is a feature flag",
    "how do feature toggles work",
    "how do we turn features on and off without deploying",
    "hide a half finished feature in production",
]


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "gaps-editor")


def by_meaning(app) -> None:
    """These tests group by meaning: words only, the same questions share too few stems."""
    if not app.config["SEMANTIC_SEARCH"]:
        pytest.skip("groups by meaning (SEMANTIC_SEARCH=0 groups by words)")


def log(app, rows: list[tuple]) -> None:
    """Query-log rows as the recorder writes them (question normalised already): (question,
    status, asked_at[, count: askings in one batch])."""
    with app.app_context():
        db.session.execute(delete(QueryLog))
        db.session.execute(delete(AnswerFeedback))
        db.session.add_all(
            QueryLog(asked_at=at, endpoint="answers", question=q, status=s, count=n)
            for q, s, at, n in ((*row, 1)[:4] for row in rows)
        )
        db.session.commit()


def vote(app, question: str, slug: str, n: int = 1) -> None:
    with app.app_context():
        db.session.add_all(
            AnswerFeedback(
                answer_key=f"{question}-{i}".ljust(64, "x")[:64],
                client=f"client-{i}",
                question=question,
                passage_id=f"faqs/{slug}#answer",
                collection="faqs",
                slug=slug,
                version=1,
                status="answered",
                helpful=False,
                reason="not_what_i_asked",
            )
            for i in range(n)
        )
        db.session.commit()


def test_editors_only(client, app, editor):
    anonymous = client.get(URL)
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    assert "Bearer" in anonymous.headers["WWW-Authenticate"]
    forged = client.get(URL, headers={"Authorization": "Bearer wdw_000000000000_nope"})
    assert forged.status_code == 401
    assert client.get(URL, headers=editor).status_code == 200


def test_never_stored_for_the_next_reader(client, app, editor):
    log(app, [(q, "no_match", NOW) for q in CANARY])
    seen = client.get(URL, headers=editor)
    assert seen.status_code == 200 and seen.json
    assert "no-store" in seen.headers["Cache-Control"]
    assert client.get(URL).status_code == 401  # not served from the representation cache


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("until=2026-13-01T00:00:00Z", "until"),
        ("since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until"),
        ("status=no_match,answered", "status"),
        ("page_size=0", "page_size"),
    ],
)
def test_bad_arguments_are_problems(client, editor, query, field):
    response = client.get(f"{URL}?{query}", headers=editor)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_groups_by_meaning_largest_first_within_the_window(client, app, editor):
    by_meaning(app)
    old = NOW - timedelta(days=3)
    rows = [(q, "no_match", NOW) for q in CANARY + REVIEW]
    rows += [(CANARY[0], "no_match", NOW, 2), (CANARY[1], "ambiguous", NOW)]  # 2 in a batch
    rows += [(REVIEW[0], "no_match", old)] * 4  # outside the window asked for below
    rows += [("what does a lawyer earn", "out_of_domain", NOW)]
    log(app, rows)
    since = (NOW - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    response = client.get(URL, query_string={"since": since}, headers=editor)
    assert response.status_code == 200
    groups = response.json
    assert response.headers["X-Total-Count"] == str(len(groups)) == "2"
    canary, review = groups
    assert canary["size"] == 6 and canary["statuses"] == {"ambiguous": 1, "no_match": 5}
    assert {p["question"] for p in canary["phrasings"]} == set(CANARY)
    assert {p["question"] for p in review["phrasings"]} == set(REVIEW)
    assert canary["phrasings"][0] == {"question": CANARY[0], "count": 3}
    # out_of_domain only when asked for; the old askings count without a window
    everything = client.get(URL, query_string={"status": "out_of_domain"}, headers=editor).json
    assert [g["representative"] for g in everything] == ["what does a lawyer earn"]
    assert client.get(URL, headers=editor).json[0]["size"] == 7  # review: 3 + 4 older
    page = client.get(URL, query_string={"page_size": 1, "page": 2}, headers=editor)
    assert [g["representative"] for g in page.json] == [canary["representative"]]
    assert 'rel="next"' not in page.headers["Link"] and 'rel="prev"' in page.headers["Link"]


def test_a_close_faq_gets_the_phrasings_as_examples_within_six(client, app, editor):
    by_meaning(app)
    phrasings = [
        "how often do good teams push to prod",
        "how many times a day should we release",
        "is it normal to deploy every day",
        "how do we know if we release often enough",
    ]
    log(app, [(q, "no_match", NOW) for q in phrasings])
    (gap,) = client.get(URL, headers=editor).json
    suggestion = gap["suggestion"]
    assert suggestion["action"] == "add_examples", gap
    request = suggestion["request"]
    slug = request["url"].rsplit("/", 1)[1]
    faq = client.get(request["url"])
    before = faq.json["examples"]
    examples = request["body"]["examples"]
    assert len(examples) == EXAMPLES_MAX  # 5 seeded + 4 asked would be 9
    assert set(examples) == set(before) - set(suggestion["dropped"]) | (
        set(phrasings) - set(suggestion["left_out"])
    )
    assert request["headers"]["If-Match"] == faq.headers["ETag"]
    sent = client.open(
        request["url"],
        method=request["method"],
        json=request["body"],
        headers={**request["headers"], **editor},
    )
    assert sent.status_code == 200, sent.json
    assert sent.json["examples"] == examples
    revisions = client.get(f"/v1/faqs/{slug}/revisions").json
    assert revisions[0]["version"] == faq.json["version"] + 1
    changes = client.get("/v1/changes", query_string={"limit": 1000}).json
    assert changes[-1]["slug"] == slug and changes[-1]["action"] == "updated"
    # the report's ETag is now stale: sending it again is a 412, not a lost update
    again = client.open(request["url"], method="PATCH", json={"examples": before},
                        headers={**request["headers"], **editor})  # fmt: skip
    assert again.status_code == 412


def test_nothing_close_suggests_a_new_faq_whose_answer_the_editor_writes(client, app, editor):
    by_meaning(app)
    log(app, [(q, "no_match", NOW) for q in FLAGS])
    (gap,) = client.get(URL, headers=editor).json
    suggestion = gap["suggestion"]
    assert suggestion["action"] == "new_faq", gap
    assert suggestion["fill_in"] == ["answer"]
    request = suggestion["request"]
    assert (request["method"], request["url"]) == ("POST", "/v1/faqs")
    body = request["body"]
    assert body["answer"] is None
    assert body["question"] == gap["representative"].capitalize() + "?"
    assert set(body["examples"]) == set(FLAGS) - {gap["representative"]}
    as_is = client.post("/v1/faqs", json=body, headers=editor)
    assert as_is.status_code == 422 and "answer" in as_is.json["errors"]
    written = {**body, "answer": "A switch read at run time turns the code on or off."}
    created = client.post("/v1/faqs", json=written, headers=editor)
    assert created.status_code == 201, created.json
    assert client.get(f"/v1/faqs/{body['slug']}").json["examples"] == body["examples"]
    # still in the log, but all the new FAQ's own: nothing more to send (a second FAQ would
    # compete with the first)
    again = client.get(URL, headers=editor).json[0]["suggestion"]
    assert again["request"] is None and body["slug"] in again["why"], again


def test_unhelpful_votes_on_the_nearest_faq_suggest_another(client, app, editor):
    question = "how often do good teams push to prod"
    log(app, [])
    vote(app, question, "what-is-deployment-frequency", 3)
    (gap,) = client.get(URL, headers=editor).json
    assert gap["statuses"] == {"unhelpful": 3}
    assert gap["suggestion"]["action"] == "new_faq"
    assert "unhelpful" in gap["suggestion"]["why"]
    assert client.get(URL, query_string={"status": "no_match"}, headers=editor).json == []


def test_words_only_groups_by_shared_stems():
    askings = [Asking(q) for q in CANARY + REVIEW + ["code review checklist please"]]
    groups = group_by_words(askings)
    together = next(g for g in groups if REVIEW[0] in [a.question for a in g.askings])
    assert "code review checklist please" in [a.question for a in together.askings]
    assert not set(CANARY) & {a.question for a in together.askings}


def test_meaning_groups_paraphrases_apart_from_other_subjects():
    import numpy as np

    from api.services.gaps import embed

    questions = ["how do we turn features on and off without deploying",
                 "what is a feature flag", "who should approve my pull request"]  # fmt: skip
    askings = [Asking(q) for q in questions]
    groups = group_by_meaning(askings, embed(questions))
    sizes = sorted(len(g.askings) for g in groups)
    assert sizes == [1, 2], [[a.question for a in g.askings] for g in groups]
    assert np.isclose(np.linalg.norm(embed(questions[:1])[0]), 1.0, atol=1e-3)


def test_the_same_report_in_a_terminal(app, client, editor):
    log(app, [(q, "no_match", NOW) for q in REVIEW + FLAGS] + [(FLAGS[0], "no_match", NOW)])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["gaps", "--limit", "1", "--since", f"{NOW:%Y-%m-%d}"])
    assert result.exit_code == 0, result.output
    (first,) = client.get(URL, query_string={"page_size": 1}, headers=editor).json
    total = client.get(URL, headers=editor).headers["X-Total-Count"]
    assert result.output.startswith(f"the 1 largest of {total} groups")
    assert f"1. {first['size']} asked" in result.output
    for phrasing in first["phrasings"]:
        assert phrasing["question"] in result.output
    request = first["suggestion"]["request"]
    if request is not None:
        assert f"send: {request['method']} {request['url']}" in result.output
    assert first["suggestion"]["why"] in result.output
    assert f"suggestion: {first['suggestion']['action']}" in result.output
    bad = runner.invoke(args=["gaps", "--status", "answered"])
    assert bad.exit_code == 2 and "no_match" in bad.output
    log(app, [])
    assert "no gaps" in runner.invoke(args=["gaps"]).output


def test_a_question_answered_since_is_no_gap_any_more(client, app, editor):
    earlier, later = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    fixed = [(FLAGS[0], "no_match", earlier), (FLAGS[0], "answered", later)]
    not_yet = [(FLAGS[1], "answered", earlier), (FLAGS[1], "no_match", later)]
    log(app, [*fixed, *not_yet])
    shown = {p["question"] for g in client.get(URL, headers=editor).json for p in g["phrasings"]}
    assert shown == {FLAGS[1]}
