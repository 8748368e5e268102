"""Seeded samples that two processes can draw identically from the same stream."""

from __future__ import annotations

import random
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


class Reservoir(Generic[T]):
    """Uniform sample of at most ``capacity`` items (Algorithm R); which items are kept depends
    only on the seed and the number of items offered, never on the items."""

    def __init__(self, capacity: int, seed: str) -> None:
        self.capacity = capacity
        self.items: list[T] = []
        self.offered = 0
        self._rng = random.Random(seed)

    def offer(self, item: T) -> None:
        if self.offered < self.capacity:
            self.items.append(item)
        else:
            slot = self._rng.randrange(self.offered + 1)
            if slot < self.capacity:
                self.items[slot] = item
        self.offered += 1


def subsample(count: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``size`` of ``count`` items (all of them when ``size >= count``)."""
    if size >= count:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=size, replace=False))


def equal_size(count_a: int, count_b: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of two equally large subsamples: diversity measures depend on set size, so the
    sets are compared at the same size."""
    size = min(count_a, count_b)
    return subsample(count_a, size, seed), subsample(count_b, size, seed + 1)
