"""Near-duplicate detection: embedders and the FAISS store of accepted reviews."""

from reviewgen.vectorstore.embeddings import Embedder, build_embedder
from reviewgen.vectorstore.store import DuplicateStore, Match

__all__ = ["DuplicateStore", "Embedder", "Match", "build_embedder"]
