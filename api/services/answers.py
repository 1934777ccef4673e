"""Answering a question with the best passage, a calibrated confidence and a status.

    answer(session, query, analysis, semantic) -> Outcome

The passages come from api/services/retrieval.py (`retrieve`). The best one is described by a
few features (below); a logistic model fitted on the tune halves of the evaluation sets
(bench/fit_answers.py, coefficients in answer_model.json) turns them into `confidence`, the
estimated probability that the best passage answers the question. One model per ranking:
words alone, and words and meaning.

Status, in this order:
- `out_of_domain`: the question has no content word, or is about another job than ours and
  names none of our roles (a scrum master, a UX designer, a lawyer: outside_roles.py), or the
  knowledge base knows too few of its words (`known` below), or, with meaning, even the best
  passage is far from it.
- `ambiguous`: the best passages are the same part (field) of different entries of one
  collection, about as good as each other ("the key metric" of which role?): 2 to 4 options;
  not when the question names the best passage's entry (`named` below: "which roles work
  with terraform" asks about Terraform, not about Pulumi beside it), nor below the mode's
  `option_floor` of confidence (0.4: options were offered for content gaps).
- `answered`: confidence at or above the mode's threshold (chosen on the tune half: the most
  right answers for the fewest wrong ones, bench/fit_answers.py).
- `no_match`: the rest: in our domain, but nothing covers it well enough.

Features of the best passage (the runner-up is the best passage of another entry):
- `cosine`: its closeness in meaning to the question (meaning only);
- `cosine_gap`: its cosine minus the runner-up's (meaning only);
- `coverage`: the share of the question's content words it contains (first five letters);
- `word_score`: its full-text score over the best full-text score (0 to 1);
- `margin`: its fused score minus the runner-up's;
- `known`: the share of the question's content words that the content uses somewhere (a
  "scrum master" or a "smartphone" is a subject the knowledge base does not know);
- `short`: 1 for questions of one or two content words;
- `agree`: 1 when the passage is among the two best both by words and by meaning;
- `top_words`: 1 when it is the best passage by words;
- `title_coverage`: the share of the question's content words in its title (an FAQ's
  question, a role's name and the cell's name...);
- `score`: its fused score; `lead`: its margin over its own score (a relative lead);
- `entry_gap`: its entry's cosine to the question minus the runner-up entry's (meaning only);
- `faq`: 1 when it is an FAQ's answer; `example_gap` (FAQs only, else 0): the largest share of
  the question's content words one of its phrasings has (the FAQ's question or one of its
  example questions, each taken alone, Intercom-style) minus the same for the best other FAQ
  among the candidates. An FAQ's answer is most often wrong when another FAQ has phrasings as
  close to the question: this tells the two apart better than the passages' whole texts do;
- `example_cosine_gap` (meaning only; FAQs only, else 0): the same with the cosine of the
  question to each phrasing embedded alone (api/services/phrasings.py);
- `structured`: 1 when it is a tool's, a metric's, a schedule's, a workflow's, a practice's or a
  responsibility's passage (entries about one narrow thing); `broad`: 1 for a topic's, a tag's
  or a resource's (entries about many things, often close to a question without answering it);
- `compare`, `agree_entry`: the question asks for a comparison; the entry nearest in meaning
  is the best passage's (api/services/answer_features.py);
- `similar_margin`: `margin` times the cosine of the best passage with the runner-up's
  (meaning only; api/services/answer_features.py);
- `length`, `long`, `support`: the question's content words, 1 for six or more, and how many
  of the candidates are of the best passage's entry (api/services/answer_features.py, with
  their held-out gains: `length` in the semantic model, `long` and `support` in the words one);
- `named` (in the words model; both use it for `ambiguous`): the question has every content
  word of the best entry's title;
  `role_fit` (meaning only): the share of the roles the question names that the best passage
  is about (api/services/answer_features.py).
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from . import answer_features, role_aspects
from .analysis import WORD, Analysis, app_glossary
from .outside_roles import outside_role
from .passage_index import STEM
from .phrasings import example_cosine_gap, example_gap, phrasing_stems
from .retrieval import Index, ScoredPassage, index, question_vector, retrieve

MODEL = json.loads((Path(__file__).with_name("answer_model.json")).read_text())
CANDIDATES = 10  # passages retrieved per question
OPTIONS = 4  # at most this many "did you mean" options
# Fields every entry of a collection has in its own way (an FAQ's answer, a summary, a topic's
# paragraphs): two of them close together are two different answers, not one question asked
# of several entries, unlike a role's key metric or a schedule's time slot.
UNPARALLEL = frozenset({"answer", "summary", "body"})
FEATURES = (
    "cosine",
    "cosine_gap",
    "coverage",
    "word_score",
    "margin",
    "known",
    "short",
    "agree",
    "top_words",
    "title_coverage",
    "score",
    "lead",
    "entry_gap",
    "faq",
    "example_gap",
    "example_cosine_gap",
    "structured",
    "broad",
    "compare",
    "agree_entry",
    "length",
    "long",
    "support",
    "similar_margin",
    "named",
    "role_fit",
)
STRUCTURED = frozenset(
    {"tools", "metrics", "schedules", "workflows", "practices", "responsibilities"}
)
BROAD = frozenset({"topics", "tags", "resources"})

_STEMS: "WeakKeyDictionary[Index, frozenset[str]]" = WeakKeyDictionary()


@dataclass
class Outcome:
    status: str
    confidence: float
    threshold: float
    best: ScoredPassage | None = None
    options: list[ScoredPassage] = field(default_factory=list)
    candidates: list[ScoredPassage] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


def mode(semantic: bool) -> dict:
    return MODEL["semantic" if semantic else "words"]


def threshold(semantic: bool) -> float:
    return mode(semantic)["threshold"]


def _content_stems(found: Index) -> frozenset[str]:
    stems = _STEMS.get(found)
    if stems is None:
        stems = frozenset().union(*(found.stems(i) for i in range(len(found.passages))))
        _STEMS[found] = stems
    return stems


def distinct_entries(passages: Sequence[ScoredPassage]) -> list[ScoredPassage]:
    """The best passage of each entry, in rank order."""
    seen, found = set(), []
    for p in passages:
        if p.passage.entry not in seen:
            seen.add(p.passage.entry)
            found.append(p)
    return found


def _title_coverage(words: Sequence[str], title: str) -> float:
    """The share of the question's content words in the passage's title (first five letters)."""
    stems = {w[:STEM] for w in WORD.findall(title.lower())}
    return sum(w[:STEM] in stems for w in words) / len(words) if words else 0.0


def features(
    analysis: Analysis,
    passages: Sequence[ScoredPassage],
    stems: frozenset[str],
    phrasings: dict[int, list[frozenset[str]]] | None = None,
    vector: Any = None,
    query: str = "",
    found: Index | None = None,
    roles: set[str] | None = None,
) -> dict[str, float]:
    """The features of the module docstring for the best of `passages` (`phrasings`: the
    FAQs' question and examples as stem sets, by passage row, phrasing_stems(); `vector`: the
    question's, with meaning; `found`: the index; `roles`:
    the roles the question names, role_aspects.named())."""
    words = analysis.words
    unknown = [w for w in analysis.unknown if w[:STEM] not in stems]
    known = 1.0 - len(unknown) / len(words) if words else 0.0
    entries = distinct_entries(passages)
    best = entries[0] if entries else None
    runner = entries[1] if len(entries) > 1 else None
    if best is None:
        about = {"length": answer_features.length(words), "long": answer_features.long(words)}
        return dict.fromkeys(FEATURES, 0.0) | {"known": known} | about
    cosine = best.cosine or 0.0
    entry_cosine = best.entry_cosine or 0.0
    others = [p.entry_cosine or 0.0 for p in entries[1:]]
    margin = best.score - (runner.score if runner else 0.0)
    return {
        "cosine": cosine,
        "cosine_gap": cosine - ((runner.cosine or 0.0) if runner else 0.0),
        "coverage": best.coverage,
        "word_score": best.word_score,
        "margin": margin,
        "known": known,
        "short": 1.0 if len(words) <= 2 else 0.0,
        "agree": 1.0 if (best.word_rank or 99) <= 2 and (best.meaning_rank or 99) <= 2 else 0.0,
        "top_words": 1.0 if (best.word_rank or 99) == 1 else 0.0,
        "title_coverage": _title_coverage(words, best.passage.title),
        "score": best.score,
        "lead": margin / best.score if best.score > 0 else 0.0,
        "entry_gap": entry_cosine - max(others, default=0.0) if best.cosine is not None else 0.0,
        "faq": 1.0 if best.passage.collection == "faqs" else 0.0,
        "example_gap": example_gap(words, entries, phrasings or {}),
        "example_cosine_gap": example_cosine_gap(entries),
        "structured": 1.0 if best.passage.collection in STRUCTURED else 0.0,
        "broad": 1.0 if best.passage.collection in BROAD else 0.0,
        "compare": answer_features.compare(query),
        "agree_entry": answer_features.agree_entry(found, vector, best) if found else 0.0,
        "length": answer_features.length(words),
        "long": answer_features.long(words),
        "support": answer_features.support(passages),
        "similar_margin": answer_features.similar_margin(found, margin, best, runner)
        if found
        else 0.0,
        "named": answer_features.named(found, best, query, words) if found else 0.0,
        "role_fit": answer_features.role_fit(roles or set(), best),
    }


def probability(values: dict[str, float], model: dict) -> float:
    """The logistic model: 1 / (1 + exp(-(bias + sum of weight * feature)))."""
    z = model["bias"] + sum(w * values[name] for name, w in model["weights"].items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def ambiguous_options(entries: Sequence[ScoredPassage], model: dict) -> list[ScoredPassage]:
    """2 to 4 passages that are the same field (not an UNPARALLEL one) of different entries of
    one collection, each scoring within the model's `ambiguity` of the best; [] when there
    are not two."""
    if len(entries) < 2 or entries[0].passage.field in UNPARALLEL:
        return []
    best = entries[0].passage
    close = [
        p
        for p in entries[:OPTIONS]
        if p.passage.collection == best.collection
        and p.passage.field == best.field
        and entries[0].score - p.score <= model["ambiguity"]
    ]
    return close if len(close) >= 2 else []


def decide(values: dict[str, float], entries: Sequence[ScoredPassage], model: dict) -> str:
    """The status, from the features and the candidates (module docstring)."""
    sure = probability(values, model)
    if not entries or out_of_reach(values, model):
        return "out_of_domain"
    if sure >= model["option_floor"] and not values["named"] and ambiguous_options(entries, model):
        return "ambiguous"
    if sure >= model["threshold"]:
        return "answered"
    return "no_match"


def out_of_reach(values: dict[str, float], model: dict) -> bool:
    """The knowledge base knows too few of the question's words, or with meaning even the
    best passage is far from it: `out_of_domain` whatever the confidence."""
    if values["known"] < model["known_floor"]:
        return True
    return "cosine_floor" in model and values["cosine"] < model["cosine_floor"]


def about_another_job(session: Session, query: str, analysis: Analysis) -> bool:
    """The question is about a job the knowledge base does not cover and none of our roles
    (api/services/outside_roles.py)."""
    if outside_role(query) is None:
        return False
    return not role_aspects.named(index(session), analysis, app_glossary())


def describe(
    session: Session, query: str, analysis: Analysis, semantic: bool
) -> tuple[list[ScoredPassage], dict[str, float]]:
    """The first CANDIDATES passages for the question and the features of the best."""
    found = index(session)
    candidates = retrieve(session, query, CANDIDATES, analysis=analysis, semantic=semantic)
    rows = [p.passage.row for p in candidates]
    vector = None
    if candidates and candidates[0].cosine is not None:  # ranked by meaning
        vector = question_vector(query, analysis)
    stems, phrasings = _content_stems(found), phrasing_stems(found, rows)
    roles = role_aspects.named(found, analysis, app_glossary())
    values = features(analysis, candidates, stems, phrasings, vector, query, found, roles)
    return candidates, values


def answer(session: Session, query: str, analysis: Analysis, semantic: bool) -> Outcome:
    """The status, confidence and passages for one question (module docstring)."""
    model = mode(semantic)
    if (
        not analysis.words
        or not WORD.search(query.lower())
        or about_another_job(session, query, analysis)
    ):
        return Outcome("out_of_domain", 0.0, model["threshold"])
    candidates, values = describe(session, query, analysis, semantic)
    entries = distinct_entries(candidates)
    status = decide(values, entries, model)
    sure = round(probability(values, model), 3) if entries else 0.0
    return Outcome(
        status,
        sure,
        model["threshold"],
        best=candidates[0] if candidates and status == "answered" else None,
        options=ambiguous_options(entries, model) if status == "ambiguous" else [],
        candidates=candidates,
        features=values,
    )
