"""A reference dataset: few-shot exemplars, calibration, and texts the output must not copy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from reviewgen.agents.persona import Calibration, products_from_reference, untargeted_shares
from reviewgen.chains.exemplars import ExemplarPool, to_exemplars
from reviewgen.core.config import ReferenceConfig
from reviewgen.core.datasets import Columns, ReviewRow, iter_reviews, split_holdout
from reviewgen.core.errors import DataError
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.slips import SlipModel
from reviewgen.text.words import word_count

MIN_ASPECT_SHARE = 0.01


@dataclass
class Reference:
    rows: list[ReviewRow]  # the part the run may use (the held-out part is never read)
    exemplars: ExemplarPool
    calibration: Calibration
    path: str = ""
    held_out: int = 0  # rows set aside for evaluation (reference.holdout_fraction)

    def manifest(self, holdout_fraction: float) -> dict[str, object]:
        """What run.json records, so ``evaluate`` can tell which real reviews the run saw."""
        return {
            "path": self.path,
            "rows": len(self.rows),
            "holdout_fraction": holdout_fraction,
            "held_out_rows": self.held_out,
            "holdout_rule": "reviewgen.core.datasets.is_held_out(row, holdout_fraction)",
        }

    @property
    def texts(self) -> list[str]:
        return [row.text for row in self.rows]


def calibrate(
    rows: list[ReviewRow], parts: list[str], max_products: int, lexicon: AspectLexicon
) -> Calibration:
    calibration = Calibration()
    rated = [row for row in rows if row.rating is not None]
    if "ratings" in parts and rated:
        calibration.ratings = {}
        for row in rated:
            calibration.ratings[row.rating] = calibration.ratings.get(row.rating, 0) + 1
    if "lengths" in parts:
        for row in rated:
            calibration.lengths.setdefault(row.rating, []).append(word_count(row.text))
    if "products" in parts:
        named = [(row.product, str(row.extra.get("brand", ""))) for row in rows if row.product]
        if named:
            calibration.products = products_from_reference(named, max_products)
    if "aspects" in parts:
        mentioned = [lexicon.mentions(row.text) for row in rows]
        mentions = Counter(a for aspects in mentioned for a in aspects)
        # A floor keeps every configured aspect possible (a zero weight cannot be sampled).
        calibration.aspects = {
            aspect: max(mentions[aspect] / len(rows), MIN_ASPECT_SHARE) for aspect in lexicon.terms
        }
        lengths = [word_count(row.text) for row in rows]
        calibration.untargeted = untargeted_shares(
            [(words, bool(aspects)) for words, aspects in zip(lengths, mentioned, strict=True)]
        )
    if "vocabulary" in parts:
        calibration.vocabulary = [row.text for row in rows]
    if "slips" in parts:
        calibration.slips = SlipModel.learn((row.text, row.rating) for row in rows)
    return calibration


def load_reference(
    config: ReferenceConfig, lexicon: AspectLexicon, *, calibrate_parts: list[str] | None = None
) -> Reference:
    """Read ``config.path``; ``calibrate_parts`` overrides ``config.calibrate`` (CLI flags)."""
    if not config.path:
        raise DataError("no reference dataset configured (reference.path or --reference)")
    columns = Columns(text=config.text_col, rating=config.rating_col, product=config.product_col)
    rows, held_out = split_holdout(
        list(iter_reviews(config.path, columns)), config.holdout_fraction
    )
    if not rows:
        raise DataError(f"{config.path}: no reviews with text")
    parts = config.calibrate if calibrate_parts is None else calibrate_parts
    return Reference(
        rows=rows,
        exemplars=ExemplarPool(to_exemplars(rows, lexicon, "ref-")),
        calibration=calibrate(rows, parts, config.max_products, lexicon),
        path=str(config.path),
        held_out=len(held_out),
    )
