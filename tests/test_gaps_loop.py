"""The loop, end to end: users ask what the content does not answer, the gap report groups
their questions, an editor sends each suggestion's request, and the same questions are then
answered.

tests/gaps_questions.json: 50 questions in users' words, 10 themes of 5, none answered by the
seeded content when chosen (the answer model of the time). They are asked through
/v1/answers (the query log records them, api/services/query_log.py), the log is flushed,
GET /v1/analytics/gaps groups them; each suggestion's request is sent as the report gives it
(add_examples: the PATCH as is; new_faq: the POST with the theme's answer written in the
fixture), and the 50 are asked again.

Measured when written (SQLite; the answer model was being refitted at the time): by meaning,
16 groups of the 49 unanswered questions, 91% of questions in a group whose most common
theme is their own, 1 of 50 answered before and 23 after (10 add_examples, 6 new FAQs);
words only, 38 groups, 96%, 4 answered before and 31 after (PostgreSQL: by meaning 93%,
2 -> 23; words only 95%, 6 -> 29). Both depend on the encoder and on the fitted answer
model (api/services/answer_model.json, refitted from time to time), so the test asserts
floors well below them (FLOORS): 60% (50% words only) of questions with their theme, and at
least 10 (5) more of the 50 answered than before.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from api.services.query_log import recorder_of
from api.services.query_text import normalise

from .conftest import bearer

THEMES = json.loads((Path(__file__).with_name("gaps_questions.json")).read_text())["themes"]
THEME_OF = {q: theme for theme, t in THEMES.items() for q in t["questions"]}
STORED = {normalise(q): theme for q, theme in THEME_OF.items()}  # as the log keeps them
# (purity, more answered) floors, by mode
FLOORS = {True: (0.6, 10), False: (0.5, 5)}


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


def ask_all(client) -> dict[str, str]:
    return {q: client.get("/v1/answers", query_string={"q": q}).json["status"] for q in THEME_OF}


def purity(groups: list[dict]) -> float:
    """The share of questions in a group whose most common theme is their own (from each
    group's phrasings: the report shows up to 5, and the themes' groups are no larger)."""
    shown = own = 0
    for g in groups:
        themes = Counter(STORED[p["question"]] for p in g["phrasings"])
        shown += len(g["phrasings"])
        own += themes.most_common(1)[0][1]
    return own / shown


def act(client, editor, gap: dict) -> int:
    """Send the suggestion's request as the report gives it (the new FAQ's answer written)."""
    suggestion = gap["suggestion"]
    request = suggestion["request"]
    assert request is not None, gap
    body = dict(request["body"])
    if suggestion["action"] == "new_faq":
        themes = Counter(STORED[p["question"]] for p in gap["phrasings"])
        body["answer"] = THEMES[themes.most_common(1)[0][0]]["answer"]
    response = client.open(
        request["url"],
        method=request["method"],
        json=body,
        headers={**request["headers"], **editor},
    )
    return response.status_code


def test_asked_gap_fixed_answered(app, client):
    semantic = bool(app.config["SEMANTIC_SEARCH"])
    editor = bearer(app, "gaps-loop-editor")
    before = ask_all(client)
    answered_before = sum(s == "answered" for s in before.values())
    # none when chosen (meaning on, the model of the time); a refit or words only answer a few
    assert answered_before <= 10, {q: s for q, s in before.items() if s == "answered"}
    recorder_of(app).flush()

    report = client.get("/v1/analytics/gaps", query_string={"page_size": 100}, headers=editor)
    assert report.status_code == 200, report.json
    groups = report.json
    gap_questions = {p["question"] for g in groups for p in g["phrasings"]}
    gaps = sum(s in ("no_match", "ambiguous") for s in before.values())
    assert sum(g["size"] for g in groups) == gaps
    assert len(groups) <= gaps
    measured = purity(groups)
    print(f"\ngaps: {len(groups)} groups of {gaps} questions, purity {measured:.0%}")

    # Acted on one at a time, the report asked again after each write: two groups may name
    # one FAQ, and the second's If-Match must be the FAQ's ETag after the first write.
    done, acted = set(), Counter()
    while True:
        pending = [
            g
            for g in client.get(
                "/v1/analytics/gaps", query_string={"page_size": 100}, headers=editor
            ).json
            if g["representative"] not in done and g["suggestion"]["request"] is not None
        ]
        if not pending:
            break
        gap = pending[0]
        done.add(gap["representative"])
        status = act(client, editor, gap)
        assert status in (200, 201), (status, gap["suggestion"])
        acted[gap["suggestion"]["action"]] += 1

    after = ask_all(client)
    answered_after = sum(s == "answered" for s in after.values())
    print(
        f"answered before {answered_before}/50, after {answered_after}/50; "
        f"acted: {dict(acted)}; still not answered: "
        f"{sorted(q for q, s in after.items() if s != 'answered')}"
    )
    least_purity, least_more = FLOORS[semantic]
    assert measured >= least_purity
    assert gap_questions <= set(STORED)
    assert answered_after - answered_before >= least_more, after
    # every write went through the normal writes: a revision each, in the change feed
    changes = client.get("/v1/changes", query_string={"limit": 1000}).json
    faq_writes = [c for c in changes if c["collection"] == "faqs" and c["author"] != "seed"]
    assert len(faq_writes) == sum(acted.values())
