"""FAISS near-duplicate store.

The accepted JSONL is the source of truth; this index is a cache rebuilt from it on resume, so
no pickle or index file is ever loaded from disk. ``check_and_add`` is atomic: with many workers
proposing the same text, exactly one is accepted.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from reviewgen.vectorstore.embeddings import Embedder

# Above this many vectors an exact scan gets slow; "auto" switches to HNSW.
APPROXIMATE_FROM = 20_000


@dataclass(frozen=True)
class Match:
    id: str
    similarity: float


class DuplicateStore:
    """Cosine similarity over unit vectors (inner product) with an id per row."""

    def __init__(
        self,
        embedder: Embedder,
        threshold: float,
        *,
        index: str = "auto",
        expected_size: int = 0,
        hnsw_m: int = 32,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if index not in {"auto", "flat", "hnsw"}:
            raise ValueError("index must be auto, flat or hnsw")
        self.embedder = embedder
        self.threshold = threshold
        self.kind = (
            index if index != "auto" else ("hnsw" if expected_size >= APPROXIMATE_FROM else "flat")
        )
        dim = embedder.dim
        if self.kind == "hnsw":
            # 8-bit scalar quantisation keeps a million 1024-d vectors near 1 GB.
            self._index = faiss.IndexHNSWSQ(
                dim, faiss.ScalarQuantizer.QT_8bit, hnsw_m, faiss.METRIC_INNER_PRODUCT
            )
            self._index.hnsw.efSearch = 64
            self._trained = False
        else:
            self._index = faiss.IndexFlatIP(dim)
            self._trained = True
        self._ids: list[str] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    def _train_if_needed(self, vectors: np.ndarray) -> None:
        if self._trained:
            return
        # Unit vectors: every coordinate lies in [-1, 1]; train the quantiser on that range.
        bounds = np.vstack([np.full(self.embedder.dim, -1.0), np.full(self.embedder.dim, 1.0)])
        self._index.train(np.vstack([bounds.astype(np.float32), vectors]))
        self._trained = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(list(texts))

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> None:
        """Bulk insert without checks (ledger rebuild, reference sets)."""
        if vectors is None:
            vectors = self.embed(texts or [])
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if not len(ids):
            return
        with self._lock:
            self._train_if_needed(vectors)
            self._index.add(vectors)
            self._ids.extend(ids)

    def _nearest_unlocked(self, vector: np.ndarray) -> Match | None:
        if not self._ids:
            return None
        scores, rows = self._index.search(vector.reshape(1, -1), 1)
        row = int(rows[0][0])
        if row < 0:
            return None
        return Match(self._ids[row], float(scores[0][0]))

    def nearest(self, text: str | None = None, vector: np.ndarray | None = None) -> Match | None:
        if vector is None:
            vector = self.embed([text or ""])[0]
        with self._lock:
            return self._nearest_unlocked(vector)

    def nearest_many(self, vectors: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Similarities and row ids of the k nearest stored vectors for each query row."""
        with self._lock:
            if not self._ids:
                empty = np.zeros((len(vectors), k), dtype=np.float32)
                return empty, np.full((len(vectors), k), -1)
            return self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def is_duplicate(self, match: Match | None) -> bool:
        return match is not None and match.similarity >= self.threshold

    def check_and_add(
        self, id: str, text: str | None = None, vector: np.ndarray | None = None
    ) -> tuple[bool, Match | None]:
        """Add the text unless a stored one is at or above the threshold.

        Returns (added, nearest match before adding); check and insert happen under one lock.
        """
        if vector is None:
            vector = self.embed([text or ""])[0]
        with self._lock:
            match = self._nearest_unlocked(vector)
            if self.is_duplicate(match):
                return False, match
            self._train_if_needed(vector.reshape(1, -1))
            self._index.add(vector.reshape(1, -1))
            self._ids.append(id)
            return True, match
