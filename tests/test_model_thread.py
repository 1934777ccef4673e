"""The model reads a question on its own thread (api/services/encoder.py): a request sends its
full-text query meanwhile, two requests asking the same new question share one model call, a
failed call is not kept, and each process has its own thread."""

import threading

import numpy as np
import pytest

from api.extensions import db
from api.services import encoder, retrieval
from api.services.analysis import analyze, app_glossary


class GatedModel:
    """Stands in for the model's `embed` (the model is not what is tested here): each call
    waits until `go` is set, or `wait` seconds; `failures` calls raise first."""

    def __init__(self, wait: float = 5.0, failures: int = 0):
        self.go = threading.Event()
        self.wait = wait
        self.failures = failures
        self.calls = 0
        self.waited_in_vain = False

    def __call__(self, texts):
        self.calls += 1
        if not self.go.wait(self.wait):
            self.waited_in_vain = True
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the model failed")
        vectors = np.ones((len(texts), 384), dtype=np.float32)
        return vectors / np.sqrt(384)


def test_two_requests_asking_one_new_question_at_once_share_one_model_call():
    model = GatedModel()
    ours = encoder.Encoder()
    ours.embed = model
    first = ours.question_soon("Who owns the pipeline?")
    second = ours.question_soon("  who owns   the PIPELINE? ")
    assert second is first and not first.done()
    model.go.set()
    assert first.result(timeout=5).shape == (384,)
    assert model.calls == 1
    assert ours.embed_question("who owns the pipeline?") is first.result()
    assert model.calls == 1


def test_a_failed_model_call_is_not_kept():
    model = GatedModel(failures=1)
    model.go.set()
    ours = encoder.Encoder()
    ours.embed = model
    with pytest.raises(RuntimeError):
        ours.embed_question("who owns the pipeline")
    assert ours.embed_question("who owns the pipeline").shape == (384,)
    assert model.calls == 2


def test_the_last_questions_are_kept_and_the_oldest_forgotten():
    model = GatedModel()
    model.go.set()
    ours = encoder.Encoder(questions=2)
    ours.embed = model
    for question in ("one", "two", "one", "three"):  # "one" asked again: "two" is the oldest
        ours.embed_question(question)
    assert model.calls == 3
    ours.embed_question("one")
    assert model.calls == 3
    ours.embed_question("two")
    assert model.calls == 4


def test_a_forked_process_gets_its_own_model_thread(monkeypatch):
    ours = encoder.Encoder()
    parent = ours._model_thread()
    assert ours._model_thread() is parent
    monkeypatch.setattr(encoder.os, "getpid", lambda: -1)  # as in a child forked after it
    assert ours._model_thread() is not parent


def test_the_words_are_queried_while_the_model_reads_the_question(app, monkeypatch):
    question = "who carries the pager at night"
    model, real = GatedModel(), encoder.ENCODER.embed

    def embed(texts):  # the question gated, any other text (the index's) embedded at once
        return model(texts) if list(texts) == [question] else real(texts)

    monkeypatch.setattr(encoder.ENCODER, "embed", embed)
    encoder.ENCODER.forget_questions()
    word_matches = retrieval.word_matches

    def query_then_let_the_model_finish(*args, **kwargs):
        found = word_matches(*args, **kwargs)
        model.go.set()  # a model called before this query (not alongside it) waits in vain
        return found

    monkeypatch.setattr(retrieval, "word_matches", query_then_let_the_model_finish)
    with app.test_request_context():
        glossary = app_glossary()
        analysis = analyze(db.session, question, glossary)
        found = retrieval.retrieve(db.session, question, analysis=analysis, semantic=True)
    encoder.ENCODER.forget_questions()  # its vector is the stand-in's
    assert found and found[0].cosine is not None
    assert model.calls == 1 and not model.waited_in_vain
