"""Inputs as re-iterable row sources: each check streams them again instead of holding them.

The parts are always walked in the same order (reference, holdout, synthetic) with the same
seeded split, so a worker process that re-reads a file sees exactly the rows, split and samples
the main process saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewgen.core import datasets
from reviewgen.core.datasets import Columns, ReviewRow, iter_reviews

PARTS = ("reference", "holdout", "synthetic")


@dataclass(frozen=True)
class ReviewSource:
    """A review file read lazily; picklable, so a worker process can stream it too.

    ``held_out_of`` keeps only the rows a run with that ``reference.holdout_fraction`` held out
    of this file (the rows it never read)."""

    path: Path
    columns: Columns = field(default_factory=Columns)
    limit: int | None = None
    held_out_of: float | None = None

    def __iter__(self) -> Iterator[ReviewRow]:
        rows = iter_reviews(self.path, self.columns, limit=self.limit)
        if self.held_out_of is None:
            return rows
        fraction = self.held_out_of
        return (row for row in rows if datasets.is_held_out(row, fraction))

    def __str__(self) -> str:
        if self.held_out_of is None:
            return str(self.path)
        return f"{self.path} (the {self.held_out_of:.0%} a run held out)"


def as_source(rows: Iterable[ReviewRow] | str | Path) -> Iterable[ReviewRow]:
    """Paths become ``ReviewSource``; a one-shot iterator is read into a list (it cannot stream
    twice); lists and sources pass through."""
    if isinstance(rows, str | Path):
        return ReviewSource(Path(rows))
    if iter(rows) is rows:
        return list(rows)
    return rows


def describe(rows: Iterable[ReviewRow] | None) -> str | None:
    if rows is None:
        return None
    return str(rows) if isinstance(rows, ReviewSource) else "<in-memory rows>"


def is_held_out(index: int, seed: int, share: float) -> bool:
    """Stateless seeded split: the same row lands on the same side in every pass."""
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def stream_parts(
    synthetic: Iterable[ReviewRow],
    reference: Iterable[ReviewRow],
    holdout: Iterable[ReviewRow] | None,
    *,
    seed: int,
    holdout_share: float,
) -> Iterator[tuple[str, ReviewRow]]:
    """Yield ``(part, row)``; without a holdout set, a seeded share of the reference is one."""
    for index, row in enumerate(reference):
        split = holdout is None and is_held_out(index, seed, holdout_share)
        yield ("holdout" if split else "reference"), row
    for row in holdout or ():
        yield "holdout", row
    for row in synthetic:
        yield "synthetic", row
