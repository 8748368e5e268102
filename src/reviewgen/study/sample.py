"""Draw the blind sample: half synthetic, half real reviews, shown exactly alike.

Both files are streamed through a seeded reservoir, so a large reference never has to fit in
memory and the same seed draws the same sample. A field (product, stars) is shown only when
every sampled review has it: a field present on one side only would give the answer away.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewgen.core.datasets import Columns, ReviewRow, iter_reviews
from reviewgen.core.errors import ConfigError, DataError
from reviewgen.core.seeds import item_rng
from reviewgen.text.words import word_count

SOURCES = ("synthetic", "real")


@dataclass(frozen=True)
class StudyItem:
    """One review in the study, with its hidden truth (``source``, ``dataset_id``)."""

    source: str
    dataset_id: str
    product: str | None
    stars: int | None
    text: str

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass(frozen=True)
class Sample:
    items: list[StudyItem]
    show_product: bool
    show_stars: bool


def _reservoir(rows: Iterable[ReviewRow], size: int, rng: random.Random) -> tuple[list, int]:
    """Algorithm R: a uniform sample of ``size`` rows (with row numbers) and the row count."""
    kept: list[tuple[int, ReviewRow]] = []
    seen = 0
    for number, row in enumerate(rows, start=1):
        seen += 1
        if len(kept) < size:
            kept.append((number, row))
        else:
            slot = rng.randrange(seen)
            if slot < size:
                kept[slot] = (number, row)
    return sorted(kept, key=lambda pair: pair[0]), seen


def _draw(path: Path, columns: Columns, size: int, source: str, seed: int) -> list[StudyItem]:
    kept, seen = _reservoir(iter_reviews(path, columns), size, item_rng(seed, "study", source))
    if seen < size:
        raise DataError(
            f"{path}: {seen} {source} review(s), the study needs {size} "
            "(lower --per-rater or add reviews)"
        )
    return [
        StudyItem(
            source=source,
            dataset_id=row.id if row.id is not None else f"row-{number}",
            product=row.product,
            stars=row.rating,
            text=row.text,
        )
        for number, row in kept
    ]


def draw_sample(
    synthetic: str | Path,
    reference: str | Path,
    per_rater: int,
    *,
    seed: int = 0,
    columns: Columns | None = None,
) -> Sample:
    """``per_rater / 2`` reviews from each file, shuffled; raises before anything is written."""
    if per_rater < 2 or per_rater % 2:
        raise ConfigError(
            f"--per-rater must be an even number of 2 or more (half synthetic, half real), "
            f"got {per_rater}"
        )
    columns = columns or Columns()
    half = per_rater // 2
    items = _draw(Path(synthetic), columns, half, "synthetic", seed)
    items += _draw(Path(reference), columns, half, "real", seed)
    item_rng(seed, "study", "shuffle").shuffle(items)
    return Sample(
        items=items,
        show_product=all(item.product for item in items),
        show_stars=all(item.stars is not None for item in items),
    )
