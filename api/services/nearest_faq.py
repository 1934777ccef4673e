"""The FAQ nearest a group of questions: compared with the ways each FAQ is asked.

    nearest_faqs(session, groups, semantic) -> list[NearestFaq | None]

A group is close to an FAQ when its questions are close to the FAQ's own question or to one
of its example questions: question to question, which is what the encoder (a paraphrase
model) compares best. Similarity = the mean, over the group's questions, of the best cosine
with the FAQ's question and examples; words only, of the best Dice coefficient of content
stems (api/services/gaps.py stems). The FAQ with the highest similarity is the nearest;
api/services/gap_report.py suggests adding examples to it when the similarity reaches
FAQ_CLOSE (FAQ_CLOSE_WORDS words only), chosen on bench/gaps_tune.json
(bench/gaps_threshold.py): its five themes a seeded FAQ answers scored 0.45 to 0.82 by
meaning (0.30 to 0.69 by words), the seven others at most 0.37 (0.21), each theme's nearest
FAQ being the right one whenever there is one.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Faq
from .gaps import Group, dice, embed, stems

FAQ_CLOSE = 0.42
FAQ_CLOSE_WORDS = 0.25


@dataclass(frozen=True)
class NearestFaq:
    slug: str
    question: str
    similarity: float

    def close(self, semantic: bool) -> bool:
        return self.similarity >= (FAQ_CLOSE if semantic else FAQ_CLOSE_WORDS)


def faq_questions(session: Session) -> tuple[list[str], list[str], dict[str, str]]:
    """(slug of each text, the texts: every FAQ's question and examples, slug -> question)."""
    owners, texts, questions = [], [], {}
    for slug, question, examples in session.execute(
        select(Faq.slug, Faq.question, Faq.examples).order_by(Faq.slug)
    ):
        questions[slug] = question
        for text in [question, *(examples or [])]:
            owners.append(slug)
            texts.append(text)
    return owners, texts, questions


def _best_by_owner(row: Sequence[float], owners: Sequence[str]) -> dict[str, float]:
    best: dict[str, float] = {}
    for owner, value in zip(owners, row, strict=True):
        if value > best.get(owner, -2.0):
            best[owner] = float(value)
    return best


def nearest_faqs(
    session: Session, groups: Sequence[Group], semantic: bool
) -> list[NearestFaq | None]:
    owners, texts, questions = faq_questions(session)
    if not texts or not groups:
        return [None] * len(groups)
    asked = [[a.question for a in g.askings] for g in groups]
    if semantic:
        faq_vectors = embed(texts)
        rows = [embed(q) @ faq_vectors.T for q in asked]
    else:
        faq_stems = [stems(t) for t in texts]
        rows = [[[dice(stems(q), s) for s in faq_stems] for q in qs] for qs in asked]
    found = []
    for matrix in rows:
        per_question = [_best_by_owner(row, owners) for row in matrix]
        mean = {s: sum(b[s] for b in per_question) / len(per_question) for s in questions}
        slug = max(sorted(mean), key=mean.__getitem__)
        found.append(NearestFaq(slug, questions[slug], round(mean[slug], 4)))
    return found
