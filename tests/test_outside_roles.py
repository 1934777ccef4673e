"""Questions about jobs the knowledge base does not cover (api/services/outside_roles.py):
found in any form, except as the asker's own job or a person of the story."""

import pytest

from api.services.outside_roles import OUTSIDE_ROLES, outside_role


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("what does a product owner do in sprint planning", "product owner"),
        ("do QA engineers write unit tests", "qa engineer"),  # a plural
        ("Data Scientists vs ML engineers: who deploys the model?", "data scientist"),
        ("average salary of an electrician in ohio", "electrician"),
        ("what is the day of a release manager like", "release manager"),
    ],
)
def test_a_job_we_do_not_cover_is_found(question, title):
    assert outside_role(question) == title


@pytest.mark.parametrize(
    "question",
    [
        "my manager wants to know who owns the pipeline",  # framing, and not a title alone
        "as a data analyst, should i learn devops or sre first",  # the asker's own job
        "I worked as a manual QA tester for years, what does a devops engineer do",
        "my professor asked me how devops began",
        "who was the belgian consultant behind devopsdays",  # another sense in our content
        "what does a software engineer do all day",  # a title our roles answer to
    ],
)
def test_framing_and_our_own_titles_are_not_another_job(question):
    assert outside_role(question) is None


def test_the_titles_are_lower_case_words():
    assert all(t == " ".join(t.split()) and t == t.lower() and t for t in OUTSIDE_ROLES)
