"""One pass that embeds every review, with the generator's duplicate-store embedder.

It answers three questions: does the synthetic set contain copies of real reviews; is it closer
to the reference than fresh real reviews are (the distance-to-closest-record idea: a generator
that memorises sits closer to its source than a held-out real review does); and how often does
each set repeat itself. Copies are looked for among all real rows, not a sample.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

import faiss
import numpy as np

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.diversity import MIN_ROWS as MIN_DIVERSITY_ROWS
from reviewgen.evaluation.diversity import near_duplicate_rate
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.profile import sample_seed
from reviewgen.evaluation.sampling import Reservoir, equal_size
from reviewgen.evaluation.sources import PARTS, stream_parts
from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.vectorstore import build_embedder

CHUNK = 1024
EXACT_UP_TO = 20_000  # real reviews per index; beyond, an HNSW graph keeps the scan sub-quadratic
EXAMPLES = 10
SNIPPET = 200
MIN_ROWS = 20
PERCENTILE = 99
EXACT = 0.999
HISTOGRAM_EDGES = np.linspace(0.0, 1.0, 21)


class _Index:
    """Inner-product search over unit vectors: exact while small, then HNSW.

    Comparing every synthetic review with every real one costs n*m dot products: seconds at
    10,000 x 10,000, many minutes at 100,000 x 100,000. Past ``EXACT_UP_TO`` vectors the index
    becomes an HNSW graph (approximate nearest neighbour; near-copies, being very close, are
    found with near certainty). Holdout and synthetic queries go through the same index, so the
    memorisation comparison stays like for like.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.index: faiss.Index = faiss.IndexFlatIP(dim)
        self.approximate = False

    @property
    def ntotal(self) -> int:
        return self.index.ntotal

    def add(self, vectors: np.ndarray) -> None:
        if not self.approximate and self.index.ntotal + len(vectors) > EXACT_UP_TO:
            stored = self.index.reconstruct_n(0, self.index.ntotal)
            self.index = faiss.IndexHNSWFlat(self.dim, 32, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = 80
            self.index.hnsw.efSearch = 128
            self.index.add(stored)
            self.approximate = True
        self.index.add(vectors)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.index.search(vectors, k)


def snippet(text: str, limit: int = SNIPPET) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Pass:
    def __init__(self, options: EvaluationOptions) -> None:
        self.options = options
        self.embedder = build_embedder(options.embedder, dict(options.embedder_params))
        self.indexes = {p: _Index(self.embedder.dim) for p in ("reference", "holdout")}
        self.snippets: dict[str, list[str]] = {"reference": [], "holdout": []}
        self.samples = {
            part: Reservoir[np.ndarray](options.max_sample, sample_seed(options.seed, part))
            for part in PARTS
        }
        self.buffers: dict[str, list[str]] = {part: [] for part in PARTS}
        self.synthetic_nn: list[np.ndarray] = []
        self.copies = 0
        self.copies_of_reference = 0  # against the reference part only, like the holdout
        self.exact = 0
        self.examples: list[tuple[float, int, str, str]] = []  # min-heap of the closest copies

    def add(self, part: str, row: ReviewRow) -> None:
        if part == "synthetic" and (self.buffers["reference"] or self.buffers["holdout"]):
            self.flush("reference")
            self.flush("holdout")
        self.buffers[part].append(row.text)
        if len(self.buffers[part]) >= CHUNK:
            self.flush(part)

    def flush(self, part: str) -> None:
        texts, self.buffers[part] = self.buffers[part], []
        if not texts:
            return
        vectors = self.embedder.embed(texts)
        for vector in vectors:
            self.samples[part].offer(vector.copy())  # a view would pin the whole chunk
        if part == "synthetic":
            self._check_synthetic(texts, vectors)
        else:
            self.indexes[part].add(vectors)
            self.snippets[part].extend(snippet(t) for t in texts)

    def _nearest(self, part: str, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = self.indexes[part]
        if index.ntotal == 0:
            return np.full(len(vectors), -np.inf, dtype=np.float32), np.full(len(vectors), -1)
        similarities, rows = index.search(vectors, 1)
        return similarities[:, 0], rows[:, 0]

    def _check_synthetic(self, texts: list[str], vectors: np.ndarray) -> None:
        sim_ref, row_ref = self._nearest("reference", vectors)
        sim_hold, row_hold = self._nearest("holdout", vectors)
        self.synthetic_nn.append(sim_ref)
        from_holdout = sim_hold > sim_ref
        best = np.where(from_holdout, sim_hold, sim_ref)
        self.copies_of_reference += int(np.sum(sim_ref >= self.options.dup_threshold))
        for i in np.flatnonzero(best >= self.options.dup_threshold):
            self.copies += 1
            self.exact += int(best[i] >= EXACT)
            part, row = ("holdout", row_hold[i]) if from_holdout[i] else ("reference", row_ref[i])
            item = (float(best[i]), self.copies, snippet(texts[i]), self.snippets[part][row])
            if len(self.examples) < EXAMPLES:
                heapq.heappush(self.examples, item)
            else:
                heapq.heappushpop(self.examples, item)

    def finish(self) -> dict[str, Any]:
        for part in PARTS:
            self.flush(part)
        return {
            "uniqueness": self._uniqueness(),
            "near_duplicates": self._near_duplicates(),
        }

    def _uniqueness(self) -> dict[str, Any]:
        threshold = self.options.dup_threshold
        n_syn = self.samples["synthetic"].offered
        n_ref, n_hold = self.indexes["reference"].ntotal, self.indexes["holdout"].ntotal
        if n_syn == 0 or n_ref + n_hold == 0:
            return not_enough_data("needs synthetic and real reviews")
        holdout_vectors = self.samples["holdout"].items
        holdout_nn = (
            self._nearest("reference", np.vstack(holdout_vectors))[0]
            if holdout_vectors and n_ref
            else np.empty(0, dtype=np.float32)
        )
        result: dict[str, Any] = {
            "status": OK,
            "embedder": self.embedder.name,
            "threshold": threshold,
            "search": "hnsw" if any(i.approximate for i in self.indexes.values()) else "exact",
            "synthetic_rows": n_syn,
            "reference_rows": n_ref,
            "holdout_rows": n_hold,
            "copies": self._copies(n_syn, holdout_nn),
        }
        if n_ref < MIN_ROWS or len(holdout_nn) < MIN_ROWS:
            result["dcr"] = not_enough_data(
                f"needs at least {MIN_ROWS} reference and {MIN_ROWS} holdout reviews "
                f"(reference {n_ref}, holdout {len(holdout_nn)})"
            )
            return result
        synthetic_nn = np.concatenate(self.synthetic_nn)
        cutoff = float(np.percentile(holdout_nn, PERCENTILE))
        result["dcr"] = {
            "status": OK,
            "holdout_sample": len(holdout_nn),
            "synthetic_nn": _describe(synthetic_nn),
            "holdout_nn": _describe(holdout_nn),
            "holdout_p99": rounded(cutoff),
            "closer_than_holdout_share": rounded(np.mean(synthetic_nn > cutoff)),
            "expected_share": round(1 - PERCENTILE / 100, 4),
            "histogram": {
                "edges": [rounded(e, 2) for e in HISTOGRAM_EDGES],
                "synthetic": _shares(synthetic_nn),
                "holdout": _shares(holdout_nn),
            },
        }
        return result

    def _copies(self, n_syn: int, holdout_nn: np.ndarray) -> dict[str, Any]:
        """Copies of any real review are counted and listed; the excess compares like with
        like: synthetic and held-out reviews, each against the reference part."""
        holdout_rate = (
            float(np.mean(holdout_nn >= self.options.dup_threshold)) if len(holdout_nn) else 0.0
        )
        return {
            "count": self.copies,
            "exact": self.exact,
            "rate": rounded(self.copies / n_syn),
            "reference_rate": rounded(self.copies_of_reference / n_syn),
            "holdout_rate": rounded(holdout_rate) if len(holdout_nn) else None,
            "excess_rate": rounded(max(0.0, self.copies_of_reference / n_syn - holdout_rate)),
            "examples": [
                {"similarity": rounded(sim), "synthetic": syn, "real": real}
                for sim, _, syn, real in sorted(self.examples, reverse=True)
            ],
        }

    def _near_duplicates(self) -> dict[str, Any]:
        syn, ref = self.samples["synthetic"].items, self.samples["reference"].items
        idx_syn, idx_ref = equal_size(len(syn), len(ref), self.options.seed)
        if len(idx_syn) < MIN_DIVERSITY_ROWS:
            return not_enough_data(f"needs at least {MIN_DIVERSITY_ROWS} reviews per set")
        threshold = self.options.dup_threshold
        return {
            "status": OK,
            "n_per_set": len(idx_syn),
            "threshold": threshold,
            "synthetic": rounded(
                near_duplicate_rate(np.vstack([syn[i] for i in idx_syn]), threshold)
            ),
            "real": rounded(near_duplicate_rate(np.vstack([ref[i] for i in idx_ref]), threshold)),
        }


def _describe(values: np.ndarray) -> dict[str, float | None]:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {
        "mean": rounded(values.mean()),
        "p5": rounded(p5),
        "median": rounded(p50),
        "p95": rounded(p95),
        "max": rounded(values.max()),
    }


def _shares(values: np.ndarray) -> list[float | None]:
    counts, _ = np.histogram(np.clip(values, 0.0, 1.0), bins=HISTOGRAM_EDGES)
    return [rounded(c / len(values)) for c in counts]


def similarity_checks(
    synthetic: Iterable[ReviewRow],
    reference: Iterable[ReviewRow],
    holdout: Iterable[ReviewRow] | None,
    options: EvaluationOptions,
) -> dict[str, Any]:
    state = _Pass(options)
    for part, row in stream_parts(
        synthetic, reference, holdout, seed=options.seed, holdout_share=options.holdout_share
    ):
        state.add(part, row)
    return state.finish()
