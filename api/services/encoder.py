"""The model, as search uses it: all-MiniLM-L6-v2 (api/services/embedder.py) loaded once per
process, what text it is given, and the vectors of the questions asked lately.

A document is embedded as its title then its body (`document_text`), stored as little-endian
float32 bytes with a `digest` of the model's name and the text, so that unchanged text is not
embedded again. A question is embedded as typed, its typos corrected (`question_text`);
the last QUESTIONS questions' vectors are kept per process, by text lowercased with its spaces
collapsed, which is how the model reads it.
"""

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache

from .analysis import WORD, Analysis

try:  # the extra; this module imports without it, and semantic.install() says what is missing
    import numpy as np
except ImportError:  # pragma: no cover - depends on the install
    np = None

MODEL = "all-MiniLM-L6-v2"
THREADS = 1  # per process: a question takes milliseconds on one core; workers use the others
QUESTIONS = 4096  # questions whose vectors each process keeps (1.5 kB each)


class Encoder:
    """all-MiniLM-L6-v2 (api/services/embedder.py), loaded on first use, once per process.

    `calls` counts the calls to the model (a question asked before makes none).
    """

    def __init__(self, questions: int = QUESTIONS) -> None:
        self._model = None
        self._load_lock = threading.Lock()
        self.calls = 0
        self._question = lru_cache(maxsize=questions)(self._embed_question)

    def _load(self):
        with self._load_lock:
            if self._model is None:
                from .embedder import WEIGHTS_SHA256, MiniLM
                from .vector_cache import cached

                self._model = cached(MiniLM(threads=THREADS), f"{MODEL} {WEIGHTS_SHA256}")
        return self._model

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        """Unit-length float32 vectors, one row per text."""
        model = self._model or self._load()
        self.calls += 1
        return model.embed(list(texts))

    def _embed_question(self, normalised: str) -> "np.ndarray":
        vector = self.embed([normalised])[0]
        vector.flags.writeable = False  # shared by every request that asks it
        return vector

    def embed_question(self, text: str) -> "np.ndarray":
        """One question's vector, from the cache when it was asked before."""
        return self._question(normalised_question(text))


def normalised_question(text: str) -> str:
    """What the model reads of a question: lowercased, spaces collapsed (the cache's key)."""
    return " ".join(text.lower().split())


ENCODER = Encoder()


def to_bytes(vector: "np.ndarray") -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> "np.ndarray":
    return np.frombuffer(data, dtype="<f4")


def document_text(title: str, body: str) -> str:
    """What is embedded: the title, then the body (the model reads its first 256 tokens)."""
    return f"{title}\n{body}"


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def question_text(query: str, analysis: Analysis) -> str:
    """The question as typed, with the corrections word search made (kubernets: kubernetes)."""
    return WORD.sub(lambda m: analysis.corrections.get(m.group(0), m.group(0)), query.lower())
