"""Duplicate-store scaling: median check-and-insert time and memory at 100k and 1M vectors.

Vectors are random unit vectors (the store's cost does not depend on the text); the embedding
of one review is timed separately. Run: .venv/bin/python benchmarks/bench_store.py [--million]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np

from common import save
from reviewgen.vectorstore import DuplicateStore, build_embedder


def measure(size: int, index: str) -> dict:
    embedder = build_embedder("hashing.v1")
    rng = np.random.default_rng(0)
    store = DuplicateStore(embedder, threshold=0.8, index=index, expected_size=size)
    started = time.perf_counter()
    for start in range(0, size, 50_000):
        block = rng.standard_normal((min(50_000, size - start), embedder.dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        store.add([f"v{start + i}" for i in range(len(block))], vectors=block)
    build = time.perf_counter() - started
    queries = rng.standard_normal((300, embedder.dim), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    times = []
    for i, vector in enumerate(queries):
        t0 = time.perf_counter()
        store.check_and_add(f"q{i}", vector=vector)
        times.append(time.perf_counter() - t0)
    text = "Battery lasts all day and the camera is sharp, but the speaker is too quiet for me."
    t0 = time.perf_counter()
    for _ in range(200):
        embedder.embed([text])
    return {
        "stored": size,
        "index": store.kind,
        "build_s": round(build, 1),
        "median_check_insert_ms": round(1000 * statistics.median(times), 3),
        "p99_check_insert_ms": round(1000 * sorted(times)[int(0.99 * len(times))], 3),
        "embed_one_ms": round(1000 * (time.perf_counter() - t0) / 200, 3),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    rows = [measure(10_000, "auto"), measure(100_000, "auto")]
    if "--million" in sys.argv:
        rows.append(measure(1_000_000, "hnsw"))
    save("store", rows)


if __name__ == "__main__":
    main()
