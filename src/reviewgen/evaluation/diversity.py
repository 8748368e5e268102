"""Is the synthetic set as varied as real reviews, or does it repeat itself?

Every measure here grows or shrinks with the number of reviews, so both sets are compared on
equally large samples.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from typing import Any

import faiss
import numpy as np

from reviewgen.evaluation.sampling import equal_size
from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.text.words import words

MIN_ROWS = 20


def distinct_n(tokenised: Sequence[list[str]], n: int) -> float:
    """Unique word n-grams over all n-grams (lowercased words, n-grams within each review)."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for tokens in tokenised:
        grams = list(zip(*(tokens[i:] for i in range(n)), strict=False))
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 0.0


def tokenise(texts: Sequence[str]) -> list[list[str]]:
    return [[w.lower() for w in words(text)] for text in texts]


def compression_ratio(texts: Sequence[str]) -> float:
    """Raw over gzip-compressed size of the newline-joined texts; higher is more repetitive."""
    raw = "\n".join(texts).encode("utf-8")
    return len(raw) / len(gzip.compress(raw, compresslevel=9, mtime=0))


def near_duplicate_rate(vectors: np.ndarray, threshold: float) -> float:
    """Share of reviews whose most similar other review is at or above ``threshold``."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    similarities, rows = index.search(vectors, 2)
    own = rows[:, 0] == np.arange(len(vectors))
    nearest_other = np.where(own, similarities[:, 1], similarities[:, 0])
    return float(np.mean(nearest_other >= threshold))


def compare_diversity(
    synthetic: Sequence[str], real: Sequence[str], *, seed: int
) -> dict[str, Any]:
    """Text-only measures; the near-duplicate rates come from the embedding pass."""
    idx_syn, idx_real = equal_size(len(synthetic), len(real), seed)
    if len(idx_syn) < MIN_ROWS:
        return not_enough_data(
            f"needs at least {MIN_ROWS} reviews per set "
            f"(synthetic {len(synthetic)}, real {len(real)})"
        )
    syn = [synthetic[i] for i in idx_syn]
    ref = [real[i] for i in idx_real]
    result: dict[str, Any] = {"status": OK, "n_per_set": len(syn)}
    syn_tokens, ref_tokens = tokenise(syn), tokenise(ref)
    distinct = {n: (distinct_n(syn_tokens, n), distinct_n(ref_tokens, n)) for n in (1, 2, 3)}
    for n, (syn_value, real_value) in distinct.items():
        result[f"distinct_{n}"] = {"synthetic": rounded(syn_value), "real": rounded(real_value)}
    syn_d2, real_d2 = distinct[2]
    result["distinct_2_ratio"] = rounded(syn_d2 / real_d2) if real_d2 else None
    result["compression_ratio"] = {
        "synthetic": rounded(compression_ratio(syn), 3),
        "real": rounded(compression_ratio(ref), 3),
    }
    return result
