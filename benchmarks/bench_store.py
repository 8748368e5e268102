"""Duplicate-store scaling and quality: check-and-insert time, build time, memory, recall.

Stored vectors come from realistic text, not random unit vectors (a worst case for HNSW): each
stored review is 3-8 sentences drawn from fake-provider reviews. The hashing embedder's char_wb
n-grams never cross a space, so a review's raw vector is the sum of its sentences' raw vectors;
that gives a million exact embeddings in seconds. Near-duplicate recall: stored reviews are
copied with light edits (a word dropped, two swapped, a typo) and embedded for real; recall is
the share of copies the index reports at or above the threshold, among those an exact scan does.

`--quality` measures the hashing dimension on real reviews (shared data, benchmark only): the
similarity of lightly edited copies and of unrelated pairs, as in the shared field notes.
Run: .venv/bin/python benchmarks/bench_store.py [--million] [--quality]
"""

from __future__ import annotations

import csv
import random
import re
import resource
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from common import REAL_REVIEWS, fake_review, save
from reviewgen.vectorstore import DuplicateStore, build_embedder
from reviewgen.vectorstore.store import IVF_TRAIN_AT

THRESHOLD = 0.8


class Corpus:
    """Reviews as sentence combinations, embedded exactly by summing sentence vectors."""

    def __init__(self, dim: int, seed: int = 0) -> None:
        rng = random.Random(seed)
        pool = {s for i in range(3000) for s in re.split(r"(?<=\.) ", fake_review(i, rng))}
        self.sentences = sorted(pool)
        raw = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=dim, alternate_sign=True, norm=None
        )
        self.raw = raw.transform(self.sentences).astype(np.float32).tocsr()
        self.rng = np.random.default_rng(seed)
        self.dim = dim

    def draw(self, n: int) -> list[np.ndarray]:
        """Sentence indices of n new reviews."""
        lengths = self.rng.integers(3, 9, n)
        return [self.rng.choice(len(self.sentences), k, replace=False) for k in lengths]

    def vectors(self, picks: list[np.ndarray]) -> np.ndarray:
        rows = np.repeat(np.arange(len(picks)), [len(p) for p in picks])
        counts = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, np.concatenate(picks))),
            shape=(len(picks), len(self.sentences)),
        )
        dense = (counts @ self.raw).toarray()
        return dense / np.linalg.norm(dense, axis=1, keepdims=True)

    def text(self, pick: np.ndarray) -> str:
        return " ".join(self.sentences[i] for i in pick)


def perturb(text: str, rng: random.Random) -> str:
    """A light edit: one word dropped, two neighbours swapped, one typo."""
    words = text.split()
    del words[rng.randrange(len(words))]
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    j = rng.randrange(len(words))
    if len(words[j]) > 3:
        k = rng.randrange(len(words[j]) - 1)
        words[j] = words[j][:k] + words[j][k + 1] + words[j][k] + words[j][k + 2 :]
    return " ".join(words)


def measure(size: int, index: str, dim: int | None = None, first: int = 50_000, **params) -> dict:
    """Bulk-add `size` vectors (the first block of `first`: an IVF trains on it), then time
    check-and-insert of new reviews and the recall of edited copies."""
    embedder = build_embedder("hashing.v1", {} if dim is None else {"dim": dim})
    corpus = Corpus(embedder.dim)
    store = DuplicateStore(embedder, threshold=THRESHOLD, index=index, expected_size=size, **params)
    picks: list[np.ndarray] = []
    started = time.perf_counter()
    for start in [0, *range(first, size, 50_000)]:
        block = corpus.draw(min(first if start == 0 else 50_000, size - start))
        store.add([f"v{start + i}" for i in range(len(block))], vectors=corpus.vectors(block))
        picks.extend(block)
    build = time.perf_counter() - started
    times = []
    for i, vector in enumerate(corpus.vectors(corpus.draw(500))):
        t0 = time.perf_counter()
        store.check_and_add(f"q{i}", vector=vector)
        times.append(time.perf_counter() - t0)
    # Near-duplicate recall: light edits of stored reviews, judged against an exact scan.
    rng = random.Random(1)
    chosen = rng.sample(range(size), 300)
    copies = embedder.embed([perturb(corpus.text(picks[i]), rng) for i in chosen])
    exact = np.array(
        [float(copies[k] @ store_vector(corpus, picks[i])) for k, i in enumerate(chosen)]
    )
    found, _ = store.nearest_many(copies, k=1)
    should = exact >= THRESHOLD
    recall = float(np.mean(found[should, 0] >= THRESHOLD)) if should.any() else float("nan")
    text = "Battery lasts all day and the camera is sharp, but the speaker is too quiet for me."
    t0 = time.perf_counter()
    for _ in range(500):
        embedder.embed([text])
    return {
        "stored": size,
        "trained_on": min(first, size) if store.kind == "ivf" else "",
        "index": store.kind,
        "params": store.describe(),
        "build_s": round(build, 1),
        "median_check_insert_ms": round(1000 * statistics.median(times), 3),
        "p99_check_insert_ms": round(1000 * sorted(times)[int(0.99 * len(times))], 3),
        "near_dup_recall": f"{recall:.3f} ({int(should.sum())})",
        "embed_one_ms": round(1000 * (time.perf_counter() - t0) / 500, 3),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def store_vector(corpus: Corpus, pick: np.ndarray) -> np.ndarray:
    return corpus.vectors([pick])[0]


def quality(dims: tuple[int, ...] = (1024, 512, 256)) -> list[dict]:
    """Edited copies vs unrelated pairs of real reviews, per dimension: 1,000 reviews of 10+
    words, and all reviews of 50+ words (long texts share more common n-grams)."""
    with REAL_REVIEWS.open(newline="", encoding="utf-8") as handle:
        texts = [r["text"] for r in csv.DictReader(handle)]
    rng = random.Random(0)
    samples = {
        "10+ words, 1000": rng.sample([t for t in texts if len(t.split()) >= 10], 1000),
        "50+ words, all": [t for t in texts if len(t.split()) >= 50],
    }
    rows = []
    for name, sample in samples.items():
        edited = [perturb(t, rng) for t in sample]
        for dim in dims:
            embedder = build_embedder("hashing.v1", {"dim": dim})
            a, b = embedder.embed(sample), embedder.embed(edited)
            copies = np.sort(np.sum(a * b, axis=1))
            unrelated = np.sort((a @ a.T)[np.triu_indices(len(a), 1)])
            rows.append(
                {
                    "reviews": f"{name} ({len(sample)})",
                    "dim": dim,
                    "copies_min": round(float(copies[0]), 3),
                    "copies_p1": round(float(np.quantile(copies, 0.01)), 3),
                    "copies_median": round(float(np.median(copies)), 3),
                    "copies_below_0.8": int(np.sum(copies < THRESHOLD)),
                    "unrelated_median": round(float(np.median(unrelated)), 3),
                    "unrelated_p99": round(float(np.quantile(unrelated, 0.99)), 3),
                    "unrelated_max": round(float(unrelated[-1]), 3),
                    "unrelated_pairs_at_0.8": f"{int(np.sum(unrelated >= THRESHOLD))} "
                    f"of {len(unrelated)}",
                }
            )
    return rows


def main() -> None:
    if "--quality" in sys.argv:
        save("store_quality", quality())
        return
    rows = [measure(10_000, "auto"), measure(100_000, "auto")]
    # The alternatives "auto" does not pick, for comparison.
    rows += [measure(100_000, "flat"), measure(100_000, "hnsw")]
    if "--million" in sys.argv:
        rows.append(measure(1_000_000, "auto"))
        # A fresh run trains its IVF at IVF_TRAIN_AT vectors (fewer lists), then grows.
        rows.append(measure(1_000_000, "auto", first=IVF_TRAIN_AT))
    save("store", rows)


if __name__ == "__main__":
    main()
