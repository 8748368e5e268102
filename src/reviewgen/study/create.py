"""Create a study from a synthetic set and a real one; everything is checked before writing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reviewgen.core.datasets import Columns
from reviewgen.core.errors import ConfigError
from reviewgen.study.sample import draw_sample
from reviewgen.study.store import Study, check_new_directory, check_rater_names, write_study


def create_study(
    synthetic: str | Path,
    reference: str | Path,
    directory: str | Path,
    *,
    per_rater: int,
    raters: Sequence[str],
    seed: int = 0,
    columns: Columns | None = None,
) -> Study:
    """A study of ``per_rater`` reviews (half of each source) that every rater answers."""
    if not raters:
        raise ConfigError("a study needs at least one rater")
    check_rater_names(list(raters))
    check_new_directory(Path(directory))
    sample = draw_sample(synthetic, reference, per_rater, seed=seed, columns=columns)
    meta = {
        "seed": seed,
        "per_rater": per_rater,
        "inputs": {"synthetic": str(synthetic), "reference": str(reference)},
    }

    def populate(study: Study) -> None:
        for name in raters:
            study.add_rater(name)

    return write_study(directory, sample, meta, populate)
