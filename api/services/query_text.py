"""A question as it may be stored: scrubbed of anything personal, then normalised.

Used by everything that keeps what users asked (the query log, answer feedback, answer ids).
Scrubbing replaces, before anything is stored: e-mail addresses, phone numbers, runs of six or
more digits (card, account and order numbers), and anything shaped like a secret (tokens with
a known key prefix, JWTs, long runs that mix letters and digits). What replaces each is a
placeholder in angle brackets, so a report still shows that a question held one.
Normalising: Unicode NFKC, lower case, whitespace collapsed, at most QUESTION_MAX_LENGTH.
"""

import re
import unicodedata

from schemas.constants import QUESTION_MAX_LENGTH

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Secrets first: they may hold digit runs. Known prefixes (OpenAI, GitHub, Slack, AWS, Stripe,
# Google), JWTs, and any 20+ character token mixing letters and digits.
KEY = re.compile(
    r"\b(?:sk|pk|rk)[-_][\w-]{8,}"
    r"|\b(?:ghp|gho|ghu|ghs|ghr|github_pat|xox[abposr])[-_][\w-]{8,}"
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{12,}"
    r"|\bAIza[\w-]{20,}"
    r"|\beyJ[\w-]+\.[\w-]+(?:\.[\w-]+)?"
    r"|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}"
)
# Phone numbers: an optional +country code, then digit groups separated by spaces, dots,
# dashes or parentheses, seven digits or more in all.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d{1,4}\)?(?:[\s.-]*\(?\d{2,4}\)?){2,}(?!\w)")
DIGITS = re.compile(r"\d{6,}")
SPACES = re.compile(r"\s+")
PLACEHOLDERS = (
    (EMAIL, "<email>"),
    (KEY, "<key>"),
    (PHONE, "<phone>"),
    (DIGITS, "<number>"),
)


def _phone(match: re.Match) -> str:
    """A phone number has seven digits or more; "2 to 4 people" and "v1.2.3" do not."""
    digits = sum(c.isdigit() for c in match.group())
    return "<phone>" if digits >= 7 else match.group()


def scrub(text: str) -> str:
    """The text with every personal or secret-shaped part replaced by a placeholder."""
    for pattern, placeholder in PLACEHOLDERS:
        text = pattern.sub(_phone if placeholder == "<phone>" else placeholder, text)
    return text


def normalise(text: str) -> str:
    """Scrubbed, NFKC, lower case, single spaces, trimmed and capped."""
    text = scrub(unicodedata.normalize("NFKC", text))
    return SPACES.sub(" ", text).strip().lower()[:QUESTION_MAX_LENGTH]
