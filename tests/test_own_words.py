"""The fixtures carry the articles' facts in our own words, not the articles' sentences.

Two checks over every string in seed/: no run of 8 words shared with either source article,
and no sentence of 10 words or more that keeps an article sentence's shape with a few words
swapped (word-sequence similarity of 0.7 or more). Quotations marked as such (between
straight or curly double quotes) and titles (in *italics*, and the resources' `title`
field) are exempt: they are meant to be the articles' own words.
"""

import difflib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed"
ARTICLES = ROOT.parent / "shared" / "seeds"
RUN = 8
SHAPE_WORDS = 10
SHAPE_SIMILARITY = 0.7
EXEMPT = re.compile(r'"[^"\n]*"|\u201c[^\u201d]*\u201d|\*[^*\n]+\*')
SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
# Fields that hold titles: the articles' own, and the sections of them that sources name.
TITLE_FIELDS = {("resources", "title"), ("sources", "section")}


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and typographic apostrophes normalised away."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def article_texts() -> dict[str, str]:
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(ARTICLES.glob("*.txt"))}
    assert len(texts) == 2, f"expected the two source articles in {ARTICLES}"
    return texts


def runs(tokens: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def article_sentences() -> list[list[str]]:
    found = []
    for text in article_texts().values():
        found += [w for s in SENTENCE.split(text) if len(w := words(s)) >= SHAPE_WORDS // 2]
    return found


def _strings(value, where: str, field: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, str):
        yield where, field, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]", field)
    elif isinstance(value, dict):
        name = f"{where}({value['slug']})" if "slug" in value else where
        for key, item in value.items():
            yield from _strings(item, f"{name}.{key}", key)


def fixture_texts(seed_dir: Path = SEED) -> Iterator[tuple[str, str]]:
    """(where, text) for every string in the fixtures, exempt parts blanked out."""
    for path in sorted(seed_dir.glob("*.json")):
        for where, field, text in _strings(json.loads(path.read_text()), path.stem, ""):
            owner = "sources" if ".sources[" in where else path.stem
            if (owner, field) not in TITLE_FIELDS:
                yield where, EXEMPT.sub(" | ", text)


def shared_runs(text: str, article_runs: set[tuple[str, ...]]) -> list[str]:
    """The runs of RUN words `text` shares with the articles (exempt parts never join a run)."""
    shared = []
    for part in text.split(" | "):
        shared += [" ".join(run) for run in sorted(runs(words(part)) & article_runs)]
    return shared


def same_shape(text: str, sentences: list[list[str]]) -> list[tuple[float, str]]:
    """Sentences of `text` that keep the shape of an article sentence, with the similarity."""
    found = []
    for sentence in SENTENCE.split(text.replace(" | ", "\n")):
        tokens = words(sentence)
        if len(tokens) < SHAPE_WORDS:
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(tokens)
        for other in sentences:
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= SHAPE_SIMILARITY
                and matcher.quick_ratio() >= SHAPE_SIMILARITY
                and (ratio := matcher.ratio()) >= SHAPE_SIMILARITY
            ):
                found.append((round(ratio, 2), sentence.strip()))
                break
    return found


@pytest.fixture(scope="module")
def article_runs() -> set[tuple[str, ...]]:
    return set().union(*(runs(words(text)) for text in article_texts().values()))


@pytest.fixture(scope="module")
def sentences() -> list[list[str]]:
    return article_sentences()


def test_no_fixture_text_shares_eight_words_with_an_article(article_runs):
    copied = {
        where: found
        for where, text in fixture_texts()
        if (found := shared_runs(text, article_runs))
    }
    assert not copied, json.dumps(copied, indent=1)


def test_no_fixture_sentence_keeps_an_article_sentence_shape(sentences):
    reshaped = {
        where: found for where, text in fixture_texts() if (found := same_shape(text, sentences))
    }
    assert not reshaped, json.dumps(reshaped, indent=1)


@pytest.mark.parametrize(
    ("text", "copied"),
    [
        # Copied from the first article, punctuation and case changed: caught.
        ("developers wanted to change things RAPIDLY; while operations wanted to keep them", True),
        # The same words quoted, or a title in italics: exempt.
        (
            'As it says, "developers wanted to change things rapidly, while operations wanted".',
            False,
        ),
        ("See *Developer vs DevOps: What's the Difference and Why It Matters* for more.", False),
        ("Developers like change and operations like things to stay as they are.", False),
    ],
)
def test_a_copied_run_is_caught(article_runs, text, copied):
    assert bool(shared_runs(EXEMPT.sub(" | ", text), article_runs)) is copied


@pytest.mark.parametrize(
    ("text", "reshaped"),
    [
        # The first article's conclusion with synonyms swapped, as the fixtures once had it.
        (
            "Developers write the application code, and DevOps builds the automation platforms "
            "that let that code be shipped and monitored safely.",
            True,
        ),
        (
            "Developers write the application; DevOps provides the automation platforms through "
            "which that application is shipped and watched safely.",
            False,
        ),
    ],
)
def test_a_sentence_with_swapped_synonyms_is_caught(sentences, text, reshaped):
    assert bool(same_shape(text, sentences)) is reshaped
