"""People the knowledge base does not cover: other jobs, in tech and out of it.

    outside_role(query) -> str | None

The knowledge base is about our roles (developers, DevOps engineers, SREs, platform
engineers, full-cycle developers). A question about another job ("what does a scrum master
do during a sprint", "UX designer vs UI designer", "a dentist's starting salary") shares
words with our content (a sprint, a salary, a day's schedule) and was answered with them.
outside_role() finds the first title of OUTSIDE_ROLES the question is about, a plural too
("data scientists"); /v1/answers (api/services/answers.py) calls such a question
`out_of_domain` unless it also names one of our roles ("do developers or QA testers write
the unit tests" stays a question for us).

A title is not counted where the words just before it (FRAMING) make it the asker's own job
or a person of the story: "as a security auditor I need...", "my professor asked us", "I
worked as a manual QA tester". Left out of the list on purpose: the people of chat framing
("my manager asked me", "a recruiter said", "the CTO"), titles our roles answer to
("software engineer", "backend developer", "sysadmin": the operations of before DevOps)
and words with another sense in our content ("consultant": Patrick Debois; "architect",
"pilot", "coach", "vet").
"""

from .analysis import WORD

OUTSIDE_ROLES = frozenset(
    [
        # near our domain
        "scrum master", "product owner", "product manager", "project manager",
        "program manager", "engineering manager", "delivery manager", "release manager",
        "agile coach", "business analyst", "data analyst", "data scientist", "data engineer",
        "analytics engineer", "machine learning engineer", "ml engineer", "ai engineer",
        "prompt engineer", "qa tester", "qa engineer", "qa analyst", "software tester",
        "test engineer", "tester", "quality assurance engineer", "ux designer", "ui designer",
        "ux researcher", "product designer", "graphic designer", "web designer", "designer",
        "database administrator", "dba", "network engineer", "network administrator",
        "security analyst", "cybersecurity analyst", "penetration tester", "pentester",
        "solutions architect", "cloud architect", "enterprise architect", "technical writer",
        "help desk technician", "it technician", "scientist", "analyst",
        # far from it
        "lawyer", "attorney", "paralegal", "dentist", "doctor", "physician", "surgeon",
        "nurse", "pharmacist", "therapist", "psychologist", "veterinarian", "teacher",
        "professor", "accountant", "auditor", "actuary", "banker", "economist", "chef",
        "baker", "barista", "waiter", "waitress", "cashier", "plumber", "electrician",
        "carpenter", "mechanic", "firefighter", "police officer", "journalist",
        "photographer", "marketer", "copywriter", "salesperson", "real estate agent",
        "realtor", "civil engineer", "mechanical engineer", "electrical engineer",
        "chemical engineer", "farmer", "librarian", "dietitian", "nutritionist",
        "personal trainer", "hairdresser", "influencer", "youtuber",
    ]
)  # fmt: skip
TITLES = frozenset(tuple(title.split()) for title in OUTSIDE_ROLES)
LONGEST = max(len(title) for title in TITLES)
LAST_WORDS = frozenset(title[-1] for title in TITLES)
FRAMING = frozenset({"my", "our", "as", "am", "im", "was", "were", "been", "being"})
FRAMING_REACH = 3  # words looked at before a title


def outside_role(query: str) -> str | None:
    """The first title of OUTSIDE_ROLES the question is about, or None."""
    words = WORD.findall(query.lower())
    start = 0
    while start < len(words):
        size = _title_at(words, start)
        if size and not _framing(words, start):
            return " ".join(_title(words, start, size))
        start += size or 1  # a framed title's own words ("qa tester": "tester") are done
    return None


def _title(words: list[str], start: int, size: int) -> tuple[str, ...]:
    return (*words[start : start + size - 1], _singular(words[start + size - 1]))


def _title_at(words: list[str], start: int) -> int:
    """The length of the longest title starting at `start`, 0 when none does."""
    for size in range(min(LONGEST, len(words) - start), 0, -1):
        if _title(words, start, size) in TITLES:
            return size
    return 0


def _framing(words: list[str], start: int) -> bool:
    return any(word in FRAMING for word in words[max(0, start - FRAMING_REACH) : start])


def _singular(word: str) -> str:
    for tail in ("es", "s"):
        if word.endswith(tail) and word[: -len(tail)] in LAST_WORDS:
            return word[: -len(tail)]
    return word
