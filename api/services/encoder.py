"""The model, as search uses it: all-MiniLM-L6-v2 (api/services/embedder.py) loaded once per
process, what text it is given, and the vectors of the questions asked lately.

A document is embedded as its title then its body (`document_text`), stored as little-endian
float32 bytes with a `digest` of the model's name and the text, so that unchanged text is not
embedded again. A question is embedded as typed, its typos corrected (`question_text`);
the last QUESTIONS questions' vectors are kept per process, by text lowercased with its spaces
collapsed, which is how the model reads it.

A question is embedded on the process's model thread (`question_soon` gives a Future), so that
a request can send its full-text query while the model reads the question: numpy's matrix
products and the database driver's waits both release the GIL (api/services/retrieval.py).
Two requests asking the same new question at once share one model call.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

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
        self.questions = questions
        self._questions: OrderedDict[str, Future] = OrderedDict()  # the last ones, by text
        self._questions_lock = threading.Lock()
        self._thread: tuple[int, ThreadPoolExecutor] | None = None  # (pid, the model thread)

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

    def question_soon(self, text: str) -> "Future[np.ndarray]":
        """One question's vector, as a Future: done at once when it was asked lately, else
        embedded on the model thread (one per process: THREADS)."""
        key = normalised_question(text)
        with self._questions_lock:
            future = self._questions.get(key)
            if future is not None:
                self._questions.move_to_end(key)
                return future
            future = self._model_thread().submit(self._embed_question, key)
            self._questions[key] = future
            while len(self._questions) > self.questions:
                self._questions.popitem(last=False)
        future.add_done_callback(partial(self._forget_failed, key))
        return future

    def embed_question(self, text: str) -> "np.ndarray":
        """One question's vector, from the cache when it was asked lately."""
        return self.question_soon(text).result()

    def forget_questions(self) -> None:
        """Drop the questions' vectors (benches: every question new to the process)."""
        with self._questions_lock:
            self._questions.clear()

    def _forget_failed(self, key: str, done: Future) -> None:
        """A failed call is not kept: the next request asking the question tries again."""
        if done.exception() is None:
            return
        with self._questions_lock:
            if self._questions.get(key) is done:
                del self._questions[key]

    def _model_thread(self) -> ThreadPoolExecutor:
        # Per process: a server that forks its workers after loading the app gives each one
        # its own thread (a forked child has none of its parent's threads).
        if self._thread is None or self._thread[0] != os.getpid():
            self._thread = (os.getpid(), ThreadPoolExecutor(THREADS, "model"))
        return self._thread[1]


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
