"""Near-duplicate detection: embedders and the FAISS store of accepted reviews."""

from reviewgen.vectorstore.embeddings import Embedder, build_embedder
from reviewgen.vectorstore.store import SNAPSHOT_NAME, DuplicateStore, Match, restore

__all__ = [
    "SNAPSHOT_NAME",
    "DuplicateStore",
    "Embedder",
    "Match",
    "build_embedder",
    "restore",
]
