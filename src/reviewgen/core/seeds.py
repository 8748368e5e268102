"""Deterministic seeds: per-item seeds from sha256, never Python's salted ``hash()``."""

from __future__ import annotations

import hashlib
import random

# Seeds are written into every record: 63 bits fit a signed 64-bit integer, the widest integer
# pandas, Arrow and Hugging Face `datasets` load, so a seed survives any of them exactly.
SEED_BITS = 63


def stable_int(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


def item_rng(run_seed: int, *parts: object) -> random.Random:
    """A generator for one item of a run, independent of order and concurrency."""
    return random.Random(stable_int(run_seed, *parts))
