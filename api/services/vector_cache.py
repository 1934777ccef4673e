"""Vectors kept on disk by text, shared by every process that names the same directory.

A text's vector depends on the text and the model only, so a process that builds a database
from content another process has already embedded (the seed, over and over in a test run; a
machine that builds several databases from one release) need not run the model again.
EMBEDDING_CACHE_DIR names the directory; unset, nothing is kept. One file per text, named by
the SHA-256 of the model's name and the text, written to a temporary name and renamed, so
processes sharing the directory never read half a file. Nothing is ever evicted: point it at
a directory that is thrown away with what it serves (a test run's build/).
"""

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class CachedModel:
    """A model whose `embed` runs only for texts no process has embedded into `directory`."""

    def __init__(self, model, directory: str | os.PathLike, name: str) -> None:
        self.model, self.directory, self.name = model, Path(directory), name
        self.tokenizer, self.dimensions = model.tokenizer, model.dimensions
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        key = hashlib.sha256(f"{self.name}\n{text}".encode()).hexdigest()
        return self.directory / f"{key}.f32"

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        import numpy as np  # the model's own dependency; this module imports without it

        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            try:
                vectors[row] = np.fromfile(self._path(text), dtype="<f4")
            except (FileNotFoundError, ValueError):  # not there, or not whole
                missing.setdefault(text, []).append(row)
        if missing:
            computed = self.model.embed(list(missing))
            for (text, rows), vector in zip(missing.items(), computed, strict=True):
                vectors[rows] = vector
                path = self._path(text)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                np.asarray(vector, dtype="<f4").tofile(partial)
                os.replace(partial, path)
        return vectors


def cached(model, name: str):
    """`model`, behind the directory EMBEDDING_CACHE_DIR names when it is set."""
    directory = os.environ.get("EMBEDDING_CACHE_DIR")
    return CachedModel(model, directory, name) if directory else model
