"""Deterministic seeds: per-item seeds from sha256, never Python's salted ``hash()``."""

from __future__ import annotations

import hashlib
import random


def stable_int(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def item_rng(run_seed: int, *parts: object) -> random.Random:
    """A generator for one item of a run, independent of order and concurrency."""
    return random.Random(stable_int(run_seed, *parts))
