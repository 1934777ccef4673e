"""Vectors of many stored questions at once, for the content-gap report (api/services/gaps.py)
and the FAQs it compares them with (api/services/nearest_faq.py).

The encoder's own cache (api/services/encoder.py) keeps the questions of requests; a report
reads up to a thousand stored questions and every FAQ's question and examples. Here those not
seen lately are embedded in batches of BATCH (through the on-disk vector cache when
EMBEDDING_CACHE_DIR is set; the model's cost is per token, so batching saves ~10%), and the
last KEPT vectors are kept per process, so the next report costs no model call for the
questions it shares with the last (1,000 new questions: about 30 s on one core).
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .encoder import ENCODER, normalised_question

BATCH = 64
KEPT = 8192  # vectors kept per process (1.5 kB each)

_KEPT: "OrderedDict[str, np.ndarray]" = OrderedDict()
_LOCK = threading.Lock()


def embed(questions: Sequence[str]) -> np.ndarray:
    """Unit vectors, one row per question, in order (at least one question)."""
    texts = [normalised_question(q) for q in questions]
    with _LOCK:
        missing = [t for t in dict.fromkeys(texts) if t not in _KEPT]
    found = {}
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        found.update(zip(chunk, ENCODER.embed(chunk), strict=True))
    with _LOCK:
        for text, vector in found.items():
            _KEPT[text] = vector
        rows = []
        for text in texts:
            vector = _KEPT.get(text)
            if vector is None:  # pushed out meanwhile by another report
                vector = found[text]
            else:
                _KEPT.move_to_end(text)
            rows.append(vector)
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return np.stack(rows).astype("float32", copy=False)
