"""Do synthetic reviews have the lengths and star ratings of real ones?"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from scipy.stats import ks_2samp, wasserstein_distance

from reviewgen.evaluation.profile import SetProfile
from reviewgen.evaluation.status import OK, not_enough_data, rounded

MIN_ROWS = 20
MEASURES = ("words", "characters", "sentences")
BINS = 20
# About the 90th percentile of real review lengths (shared data): short-review generators
# fall short of this tail first, which a KS distance dominated by the middle can hide.
LONG_REVIEW_WORDS = 115


def _summary(values: np.ndarray) -> dict[str, Any]:
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return {
        "n": len(values),
        "mean": rounded(values.mean(), 2),
        "median": rounded(p50, 2),
        "p10": rounded(p10, 2),
        "p90": rounded(p90, 2),
    }


def histogram(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Shared integer-width bins up to the pooled 99th percentile; the last bin holds the tail,
    so one 2,000-word outlier does not squash the plot."""
    top = max(1.0, float(np.percentile(np.concatenate([a, b]), 99)))
    width = max(1, math.ceil(top / BINS))
    edges = np.arange(0, top + 2 * width, width, dtype=float)
    shares = {}
    for name, values in (("synthetic", a), ("real", b)):
        counts, _ = np.histogram(np.minimum(values, edges[-2]), bins=edges)
        shares[name] = [rounded(c / len(values)) for c in counts]
    return {"edges": [int(e) for e in edges], "tail_from": int(edges[-2]), **shares}


def rating_shares(counts: Counter[int]) -> dict[str, float]:
    total = sum(counts.values())
    return {str(star): rounded(counts.get(star, 0) / total) for star in range(1, 6)}


def compare_ratings(synthetic: Counter[int], real: Counter[int]) -> dict[str, Any]:
    n_syn, n_real = sum(synthetic.values()), sum(real.values())
    if n_syn < MIN_ROWS or n_real < MIN_ROWS:
        return not_enough_data(
            f"needs at least {MIN_ROWS} rated reviews per set (synthetic {n_syn}, real {n_real})"
        )
    tv = 0.5 * sum(abs(synthetic[s] / n_syn - real[s] / n_real) for s in range(1, 6))
    return {
        "status": OK,
        "synthetic_n": n_syn,
        "real_n": n_real,
        "synthetic": rating_shares(synthetic),
        "real": rating_shares(real),
        "tv": rounded(tv),
    }


def compare_shape(synthetic: SetProfile, real: SetProfile) -> dict[str, Any]:
    if synthetic.rows < MIN_ROWS or real.rows < MIN_ROWS:
        return not_enough_data(
            f"needs at least {MIN_ROWS} reviews per set "
            f"(synthetic {synthetic.rows}, real {real.rows})"
        )
    result: dict[str, Any] = {"status": OK}
    for measure in MEASURES:
        a, b = getattr(synthetic, measure), getattr(real, measure)
        ks = ks_2samp(a, b)
        result[measure] = {
            "synthetic": _summary(a),
            "real": _summary(b),
            "ks": rounded(ks.statistic),
            "ks_pvalue": float(f"{ks.pvalue:.3g}"),
            "wasserstein": rounded(wasserstein_distance(a, b), 3),
            "histogram": histogram(a, b),
        }
    syn_long = float(np.mean(synthetic.words > LONG_REVIEW_WORDS))
    real_long = float(np.mean(real.words > LONG_REVIEW_WORDS))
    result["long_reviews"] = {
        "words_over": LONG_REVIEW_WORDS,
        "synthetic": rounded(syn_long),
        "real": rounded(real_long),
        "gap": rounded(abs(syn_long - real_long)),
    }
    result["ratings"] = compare_ratings(synthetic.ratings, real.ratings)
    return result
