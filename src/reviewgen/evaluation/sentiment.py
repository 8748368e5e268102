"""Does the tone of a review match its stars the way it does in real reviews?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.text.sentiment import agrees_with_rating, compound

MIN_PER_RATING = 5
MIN_AGREEMENT_ROWS = 20


def _scores(sample: Sequence[tuple[str, int | None]]) -> list[tuple[float, int | None]]:
    return [(compound(text), rating) for text, rating in sample]


def _by_rating(scored: list[tuple[float, int | None]]) -> dict[str, dict[str, Any]]:
    result = {}
    for star in range(1, 6):
        values = [score for score, rating in scored if rating == star]
        mean = float(np.mean(values)) if len(values) >= MIN_PER_RATING else None
        result[str(star)] = {"n": len(values), "mean": rounded(mean)}
    return result


def _agreement(scored: list[tuple[float, int | None]]) -> tuple[float | None, int]:
    votes = [agrees_with_rating(score, rating) for score, rating in scored if rating is not None]
    counted = [vote for vote in votes if vote is not None]
    if len(counted) < MIN_AGREEMENT_ROWS:
        return None, len(counted)
    return sum(counted) / len(counted), len(counted)


def compare_sentiment(
    synthetic: Sequence[tuple[str, int | None]], real: Sequence[tuple[str, int | None]]
) -> dict[str, Any]:
    if not synthetic or not real:
        return not_enough_data("needs reviews in both sets")
    syn, ref = _scores(synthetic), _scores(real)
    result: dict[str, Any] = {
        "status": OK,
        "n": {"synthetic": len(syn), "real": len(ref)},
        "mean_compound": {
            "synthetic": rounded(np.mean([s for s, _ in syn])),
            "real": rounded(np.mean([s for s, _ in ref])),
        },
    }
    by_syn, by_real = _by_rating(syn), _by_rating(ref)
    gaps = [
        abs(by_syn[s]["mean"] - by_real[s]["mean"])
        for s in by_syn
        if by_syn[s]["mean"] is not None and by_real[s]["mean"] is not None
    ]
    if gaps:
        result["by_rating"] = {
            "status": OK,
            "synthetic": by_syn,
            "real": by_real,
            "max_gap": rounded(max(gaps)),
        }
    else:
        result["by_rating"] = not_enough_data(
            f"needs {MIN_PER_RATING} reviews of one star rating in both sets"
        )
    agree_syn, n_syn = _agreement(syn)
    agree_real, n_real = _agreement(ref)
    if agree_syn is None or agree_real is None:
        result["agreement"] = not_enough_data(
            f"needs {MIN_AGREEMENT_ROWS} rated reviews outside 3 stars per set "
            f"(synthetic {n_syn}, real {n_real})"
        )
    else:
        result["agreement"] = {
            "status": OK,
            "synthetic": rounded(agree_syn),
            "real": rounded(agree_real),
            "synthetic_n": n_syn,
            "real_n": n_real,
            "gap": rounded(abs(agree_syn - agree_real)),
        }
    return result
