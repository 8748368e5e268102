"""Exact shares of a whole: the rating mix, length bins and aspect quotas all split a run's count
the same way, so a requested mix is delivered to the item."""

from __future__ import annotations

import math
from collections.abc import Mapping


def largest_remainder(weights: Mapping[int, float], total: int) -> dict[int, int]:
    """Largest-remainder allocation of ``total`` items to keys in proportion to weights."""
    norm = sum(weights.values())
    exact = {k: total * w / norm for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    remainder = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (exact[k] - counts[k], -k), reverse=True)[:remainder]:
        counts[k] += 1
    return counts
