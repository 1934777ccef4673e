"""Vectors kept on disk by text (api/services/vector_cache.py), shared across processes."""

import subprocess
import sys

import numpy as np

from api.services.embedder import MiniLM
from api.services.vector_cache import CachedModel, cached

TEXTS = ["What does a platform engineer build?", "Who owns the on-call rota?"]


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model):
        self.model, self.texts = model, []
        self.tokenizer, self.dimensions = model.tokenizer, model.dimensions

    def embed(self, texts):
        self.texts += texts
        return self.model.embed(texts)


def test_a_text_is_embedded_once_and_read_back_exactly(tmp_path):
    model = MiniLM(threads=1)
    first = Counting(model)
    vectors = CachedModel(first, tmp_path, "m").embed([*TEXTS, TEXTS[0]])
    assert first.texts == TEXTS  # the repeated text is embedded once
    again = Counting(model)
    read = CachedModel(again, tmp_path, "m").embed(list(reversed(TEXTS)))
    assert again.texts == []
    assert read.tobytes() == vectors[[1, 0]].tobytes()
    assert np.array_equal(vectors[0], model.embed([TEXTS[0]])[0])


def test_another_model_name_does_not_read_these_vectors(tmp_path):
    model = MiniLM(threads=1)
    CachedModel(model, tmp_path, "one").embed(TEXTS)
    other = Counting(model)
    CachedModel(other, tmp_path, "two").embed(TEXTS)
    assert other.texts == TEXTS


def test_another_process_reads_what_this_one_wrote(tmp_path):
    CachedModel(MiniLM(threads=1), tmp_path, "m").embed(TEXTS)
    script = (
        "import sys; from api.services.embedder import MiniLM; "
        "from api.services.vector_cache import CachedModel; "
        "from tests.test_vector_cache import Counting, TEXTS; "
        "c = Counting(MiniLM(threads=1)); CachedModel(c, sys.argv[1], 'm').embed(TEXTS); "
        "print(len(c.texts))"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"0"


def test_unset_means_the_model_itself(monkeypatch):
    monkeypatch.delenv("EMBEDDING_CACHE_DIR", raising=False)
    model = object()
    assert cached(model, "m") is model
