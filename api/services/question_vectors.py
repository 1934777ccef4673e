"""Vectors of many stored questions at once: the content-gap report's (api/services/gaps.py),
and every FAQ's question and examples, which the report compares them with
(api/services/nearest_faq.py) and answers compare a question with (api/services/phrasings.py).

The encoder's own cache (api/services/encoder.py) keeps the questions of requests; a report
reads up to a thousand stored questions and every FAQ's question and examples. Here those not
seen lately are embedded in batches of BATCH (through the on-disk vector cache when
EMBEDDING_CACHE_DIR is set; the model's cost is per token, so batching saves ~10%), and the
last KEPT vectors are kept per process (one cache for both uses), so the next report costs no
model call for the questions it shares with the last (1,000 new questions: about 30 s on one
core), and an index read again after a write embeds only the phrasings the write changed.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .encoder import ENCODER, normalised_question

BATCH = 64
# Vectors kept per process (1.5 kB each: 24 MB at most): every phrasing of ~2,000 FAQs (about
# six each: the seed's 56 have 340) and a report's 1,000 questions besides, so that neither
# pushes the other out; the two caches it replaces held 20,000 + 8,192.
KEPT = 16_384

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
