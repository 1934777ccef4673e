"""GET /v1/analytics/queries: the editors' reports on what users asked."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from api.extensions import db
from api.models.analytics import AnswerFeedback, QueryLog
from api.services.query_log import flush_all

from .conftest import bearer

URL = "/v1/analytics/queries"
NOW = datetime.now(UTC).replace(microsecond=0)
MTTR = ("faqs/what-is-mttr#answer", "/v1/faqs/what-is-mttr")
# (question, status, passage, hours ago, times)
ASKED = [
    ("how long are we down on average", "answered", MTTR, 1, 5),
    ("on average how long are we down?", "answered", MTTR, 2, 3),
    ("how long are we down, on average", "answered", None, 3, 1),
    ("how long are we down on average for real", "answered", MTTR, 4, 1),
    ("who writes the runbooks", "no_match", None, 5, 4),
    ("runbooks who writes", "no_match", None, 30, 2),
    ("best pizza in town", "out_of_domain", None, 6, 3),
    (
        "what is devops or sre",
        "ambiguous",
        ("faqs/what-is-sre#answer", "/v1/faqs/what-is-sre"),
        7,
        2,
    ),
    ("old question", "no_match", None, 24 * 10, 1),
]


@pytest.fixture(scope="module")
def app(writable_app):
    flush_all()
    with writable_app.app_context():
        db.session.execute(delete(QueryLog))
        for question, status, passage, hours, times in ASKED:
            passage_id, url = passage or (None, None)
            for i in range(times):
                db.session.add(
                    QueryLog(
                        asked_at=NOW - timedelta(hours=hours, minutes=i),
                        endpoint="answers",
                        question=question,
                        status=status,
                        passage_id=passage_id,
                        entry_url=url,
                    )
                )
        for client, (question, helpful) in enumerate(
            [("what is devops or sre", False), ("how long are we down on average", True)]
        ):
            db.session.add(
                AnswerFeedback(
                    answer_key=f"{client:064d}",
                    client=f"{client:064d}",
                    question=question,
                    passage_id=None,
                    status="ambiguous",
                    helpful=helpful,
                )
            )
        db.session.commit()
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "analytics-editor")


def get(client, editor, **params):
    response = client.get(URL, query_string=params, headers=editor)
    assert response.status_code == 200, response.json
    return response


def test_top_groups_phrasings_and_ranks_by_count(client, editor):
    rows = get(client, editor).json
    first = rows[0]
    assert first["count"] == 9  # 5 + 3 + 1: the same content words, however ordered
    assert first["question"] == "how long are we down on average"
    assert first["phrasings"] == [
        "how long are we down on average",
        "on average how long are we down?",
        "how long are we down, on average",
    ]
    assert (first["passage_id"], first["entry_url"]) == MTTR  # returned 8 times of 9
    more = [r for r in rows if r["question"] == "how long are we down on average for real"]
    assert [r["count"] for r in more] == [1]  # more words: another question
    assert first["last_asked"] == (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert sum(r["count"] for r in rows) == sum(times for *_, times in ASKED)


def test_each_report_keeps_its_status(client, editor):
    no_match = get(client, editor, report="no_match").json
    assert [(r["question"], r["count"]) for r in no_match] == [
        ("who writes the runbooks", 6),
        ("old question", 1),
    ]
    assert no_match[0]["phrasings"] == ["who writes the runbooks", "runbooks who writes"]
    assert no_match[0]["passage_id"] is None
    out = get(client, editor, report="out_of_domain").json
    assert [(r["question"], r["count"]) for r in out] == [("best pizza in town", 3)]
    ambiguous = get(client, editor, report="ambiguous").json
    assert [r["entry_url"] for r in ambiguous] == ["/v1/faqs/what-is-sre"]


def test_unhelpful_is_what_got_helpful_false_votes(client, editor):
    rows = get(client, editor, report="unhelpful").json
    assert [(r["question"], r["count"]) for r in rows] == [("what is devops or sre", 2)]


def test_since_and_until_bound_the_window(client, editor):
    since = (NOW - timedelta(days=2)).isoformat()
    rows = get(client, editor, report="no_match", since=since).json
    assert [(r["question"], r["count"]) for r in rows] == [("who writes the runbooks", 6)]
    until = (NOW - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S")  # no offset: UTC
    rows = get(client, editor, report="no_match", since=since, until=until).json
    assert [(r["question"], r["count"]) for r in rows] == [("runbooks who writes", 2)]
    day = (NOW - timedelta(days=10)).date().isoformat()
    assert get(client, editor, report="no_match", until=day).json == []


def test_pages_like_every_list(client, editor):
    total = len(get(client, editor).json)
    first = get(client, editor, page_size=2)
    assert first.headers["X-Total-Count"] == str(total)
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    second = get(client, editor, page_size=2, page=2).json
    assert [r["question"] for r in first.json + second] == [
        r["question"] for r in get(client, editor).json[:4]
    ]
    assert get(client, editor, page=99).json == []


def test_csv_and_ndjson_export_every_row(client, editor):
    rows = get(client, editor).json
    exported = get(client, editor, format="csv", page_size=1)
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["question"], int(r["count"])) for r in table] == [
        (r["question"], r["count"]) for r in rows
    ]
    assert table[0]["phrasings"] == " | ".join(rows[0]["phrasings"])
    by_accept = client.get(URL, headers={**editor, "Accept": "text/csv"})
    assert by_accept.get_data() == exported.get_data()
    lines = client.get(URL, headers={**editor, "Accept": "application/x-ndjson"})
    assert lines.mimetype == "application/x-ndjson"
    assert [json.loads(line) for line in lines.get_data(as_text=True).splitlines()] == rows


def test_csv_cells_cannot_run_as_formulas(app, client, editor):
    with app.app_context():
        db.session.add(
            QueryLog(asked_at=NOW, endpoint="search", question="=cmd|' /c calc'!a1",
                     status="no_match")
        )  # fmt: skip
        db.session.commit()
    try:
        text = get(client, editor, format="csv").get_data(as_text=True)
        assert "'=cmd" in text and "\n=cmd" not in text
    finally:
        with app.app_context():
            db.session.execute(delete(QueryLog).where(QueryLog.question.startswith("=")))
            db.session.commit()


def test_never_stored_by_the_representation_cache(app, client, editor):
    cache = app.extensions["representation_cache"]
    response = get(client, editor)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert not any(key[0] == URL for key in cache.entries)
    assert client.get(URL).status_code == 401  # nothing kept for a client without a key


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-02-30"}, "until"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "since"),
        ({"report": "popular"}, "report"),
        ({"format": "xlsx"}, "format"),
        ({"page_size": "500"}, "page_size"),
    ],
)
def test_bad_arguments_are_422_problems(client, editor, params, field):
    response = client.get(URL, query_string=params, headers=editor)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_an_unknown_media_type_is_406(client, editor):
    response = client.get(URL, headers={**editor, "Accept": "application/pdf"})
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"


def test_editors_only(app, client):
    for headers in ({}, {"Authorization": "Bearer not-a-key"}):
        response = client.get(URL, query_string={"since": "bad"}, headers=headers)
        assert response.status_code == 401  # before the arguments are read
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    admin = bearer(app, "analytics-admin", "admin")
    assert client.get(URL, headers=admin).status_code == 200


def test_a_vote_through_the_api_puts_its_question_in_unhelpful(app, client, editor):
    """The loop end to end: asked, answered, voted down, reported."""
    question = "Who is on call for the database tonight?"
    answer = client.get("/v1/answers", query_string={"q": question}).json
    vote = {"answer_id": answer["answer_id"], "helpful": False, "reason": "incorrect"}
    assert client.post("/v1/answers/feedback", json=vote).status_code in (200, 201, 204)
    flush_all()
    rows = get(client, editor, report="unhelpful").json
    assert "who is on call for the database tonight?" in [r["question"] for r in rows]
