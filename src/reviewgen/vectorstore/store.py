"""FAISS near-duplicate store.

The accepted JSONL is the source of truth. On resume the index comes from a snapshot beside the
ledger (a raw FAISS index file plus JSON metadata, never a pickle) when the snapshot covers a
prefix of the ledger, and only the tail is embedded; otherwise it is rebuilt from the ledger.
``check_and_add`` is atomic: with many workers proposing the same text, exactly one is accepted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from reviewgen.vectorstore.embeddings import Embedder

# Above this many vectors an exact scan gets slow; "auto" switches to an approximate index.
APPROXIMATE_FROM = 20_000
# "ivf" trains its coarse quantiser once it holds this many vectors (an exact scan until then).
IVF_TRAIN_AT = 20_000
IVF_MAX_LISTS = 1024
IVF_NPROBE = 8
IVF_TRAIN_SAMPLE = 50_000
SNAPSHOT_FORMAT = 1
SNAPSHOT_NAME = "store.faiss"  # beside the ledger, with store.faiss.json


@dataclass(frozen=True)
class Match:
    id: str
    similarity: float


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """One query is faster on one OpenMP thread: thread hand-offs cost up to 16 ms on a busy
    2-core machine (measured with IVF), far more than the search itself."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def _ids_digest(ids: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for record_id in ids:
        digest.update(record_id.encode("utf-8") + b"\n")
    return digest.hexdigest()


class DuplicateStore:
    """Cosine similarity over unit vectors (inner product) with an id per row.

    Index kinds: ``flat`` (exact), ``ivf`` (exact scan until ``IVF_TRAIN_AT`` vectors, then an
    inverted file trained on them: cheap inserts, fast rebuilds, near-duplicate recall ~0.99 in
    benchmarks/bench_store.py), ``hnsw`` (HNSW with 8-bit scalar quantisation; slow to build).
    ``auto`` picks ``ivf`` from ``APPROXIMATE_FROM`` expected vectors, else ``flat``.
    """

    def __init__(
        self,
        embedder: Embedder,
        threshold: float,
        *,
        index: str = "auto",
        expected_size: int = 0,
        hnsw_m: int = 32,
        nprobe: int = IVF_NPROBE,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if index not in {"auto", "flat", "hnsw", "ivf"}:
            raise ValueError("index must be auto, flat, ivf or hnsw")
        self.embedder = embedder
        self.threshold = threshold
        self.kind = (
            index if index != "auto" else ("ivf" if expected_size >= APPROXIMATE_FROM else "flat")
        )
        self.nprobe = nprobe
        dim = embedder.dim
        self._index: Any
        if self.kind == "hnsw":
            # 8-bit scalar quantisation keeps a million 1024-d vectors near 1 GB.
            self._index = faiss.IndexHNSWSQ(
                dim, faiss.ScalarQuantizer.QT_8bit, hnsw_m, faiss.METRIC_INNER_PRODUCT
            )
            self._index.hnsw.efSearch = 64
            self._trained = False
        else:
            self._index = faiss.IndexFlatIP(dim)
            self._trained = self.kind == "flat"
        self._ids: list[str] = []
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._snapshot_every = 0
        self._saved = 0

    def __len__(self) -> int:
        return len(self._ids)

    def describe(self) -> str:
        """The index actually in use and its parameters (for benchmarks and logs)."""
        index = self._index
        if isinstance(index, faiss.IndexIVF):
            return f"ivf-flat nlist={index.nlist} nprobe={index.nprobe} dim={index.d}"
        if isinstance(index, faiss.IndexHNSW):
            return f"hnsw-sq8 M={index.hnsw.nb_neighbors(1)} efSearch={index.hnsw.efSearch}"
        return f"flat dim={index.d}"

    def _train_if_needed(self, vectors: np.ndarray) -> None:
        if self._trained:
            return
        if self.kind == "hnsw":
            # Unit vectors: every coordinate lies in [-1, 1]; train the quantiser on that range.
            dim = self.embedder.dim
            bounds = np.vstack([np.full(dim, -1.0), np.full(dim, 1.0)]).astype(np.float32)
            self._index.train(np.vstack([bounds, vectors]))
            self._trained = True
        elif self._index.ntotal + len(vectors) >= IVF_TRAIN_AT:
            self._to_ivf(vectors)

    def _to_ivf(self, incoming: np.ndarray) -> None:
        """Train an inverted file on the stored and incoming vectors; move the stored ones in."""
        stored = self._index.reconstruct_n(0, self._index.ntotal)
        sample = np.vstack([stored, incoming[: max(0, IVF_TRAIN_SAMPLE - len(stored))]])
        # ~1,000 vectors a list at a million: 512 lists trained on 20k gave a 5.6 ms median
        # there, 1,024 lists 1.6 ms. 16 points a centroid are enough to partition.
        lists = int(min(IVF_MAX_LISTS, max(16, len(sample) // 16)))
        quantizer = faiss.IndexFlatIP(self.embedder.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.embedder.dim, lists, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.seed = 1234
        ivf.cp.min_points_per_centroid = 16  # faiss warns below this many per list
        ivf.train(sample)
        ivf.nprobe = self.nprobe
        if len(stored):
            ivf.add(stored)
        self._quantizer = quantizer  # the IVF index borrows it
        self._index = ivf
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
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self._train_if_needed(vectors)
            self._index.add(vectors)
            self._ids.extend(ids)

    def _nearest_unlocked(self, vector: np.ndarray) -> Match | None:
        if not self._ids:
            return None
        with _one_thread():
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
        row = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        with self._lock:
            match = self._nearest_unlocked(row)
            if self.is_duplicate(match):
                return False, match
            # Snapshot before this insert: every row already stored has reached the ledger
            # (the caller writes a record right after its check_and_add).
            if self._snapshot is not None and len(self._ids) - self._saved >= max(
                self._snapshot_every, len(self._ids) // 50
            ):
                self._save_unlocked(self._snapshot)
            self._train_if_needed(row)
            with _one_thread():
                self._index.add(row)
            self._ids.append(id)
            return True, match

    # Snapshots -------------------------------------------------------------------------

    def autosave(self, path: Path, every: int = 1_000) -> None:
        """Write a snapshot to ``path`` before an insert once ``every`` rows, or 2% of the
        store, were added since the last one: a killed run then resumes from it and embeds
        only the newer records, and snapshot writes stay a small share of the run."""
        self._snapshot, self._snapshot_every = path, max(1, every)

    def save(self, path: Path) -> None:
        with self._lock:
            self._save_unlocked(path)

    def _meta(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "kind": self.kind,
            "trained": self._trained,
        }

    def _save_unlocked(self, path: Path) -> None:
        """Index file first, then its metadata, each through a temp file and a rename, so a
        kill leaves either the old pair or a pair whose counts disagree (then it is ignored)."""
        meta = {**self._meta(), "count": len(self._ids), "ids_sha256": _ids_digest(self._ids)}
        index_path, meta_path = _snapshot_paths(path)
        for target, write in (
            (index_path, lambda tmp: faiss.write_index(self._index, str(tmp))),
            (meta_path, lambda tmp: tmp.write_text(json.dumps(meta), encoding="utf-8")),
        ):
            tmp = target.with_name(target.name + ".tmp")
            write(tmp)
            os.replace(tmp, target)
        self._saved = len(self._ids)

    def load(self, path: Path, ledger_ids: Sequence[str]) -> int:
        """Load a snapshot that covers a prefix of ``ledger_ids``; return how many it covers
        (0 if there is none, or it belongs to another embedder, index or ledger)."""
        index_path, meta_path = _snapshot_paths(path)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            count = int(meta["count"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0
        expected = self._meta()
        del expected["trained"]
        same = all(meta.get(key) == value for key, value in expected.items())
        if not same or not 0 < count <= len(ledger_ids):
            return 0
        if meta.get("ids_sha256") != _ids_digest(ledger_ids[:count]):
            return 0
        try:
            index = faiss.read_index(str(index_path))
        except (OSError, RuntimeError):
            return 0
        if index.ntotal != count or index.d != self.embedder.dim:
            return 0
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = self.nprobe
        elif isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = 64
        with self._lock:
            self._index = index
            self._trained = bool(meta.get("trained"))
            self._ids = list(ledger_ids[:count])
            self._saved = count
        return count


def _snapshot_paths(path: Path) -> tuple[Path, Path]:
    return path, path.with_name(path.name + ".json")


def restore(
    store: DuplicateStore,
    ids: Sequence[str],
    texts: Sequence[str],
    snapshot: Path,
    *,
    every: int = 1_000,
    chunk: int = 50_000,
) -> int:
    """Fill an empty store with the ledger's records and keep a snapshot of it at ``snapshot``.

    Loads the snapshot when it covers a prefix of the ledger and embeds only the rest (in
    chunks, so memory stays bounded); a fresh run removes a stale snapshot. Returns how many
    records came from the snapshot.
    """
    if not ids:
        for stale in _snapshot_paths(snapshot):
            stale.unlink(missing_ok=True)
    loaded = store.load(snapshot, ids) if ids else 0
    for start in range(loaded, len(ids), chunk):
        store.add(ids[start : start + chunk], texts[start : start + chunk])
    if len(ids) > loaded:
        store.save(snapshot)
    store.autosave(snapshot, every)
    return loaded
