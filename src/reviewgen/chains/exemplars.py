"""The writer's few-shot examples: real-looking reviews drawn per draft by rating, aspects and
length, from a reference dataset or from the examples that ship with the package."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from reviewgen.core.datasets import ReviewRow, iter_reviews
from reviewgen.core.schemas import ReviewPlan
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.words import word_count

DEFAULT_EXEMPLARS = Path(__file__).parent.parent / "data" / "exemplars.jsonl"


@dataclass(frozen=True)
class Exemplar:
    id: str
    text: str
    rating: int
    product: str
    aspects: frozenset[str]
    words: int


class ExemplarPool:
    """Draws k exemplars per draft: same star rating, favouring the target aspects and a
    similar length, sampled (not ranked) so consecutive drafts see different examples
    (``exclude`` keeps ones already in the prompt out)."""

    def __init__(self, exemplars: list[Exemplar]) -> None:
        self.by_rating: dict[int, list[Exemplar]] = {}
        for exemplar in exemplars:
            self.by_rating.setdefault(exemplar.rating, []).append(exemplar)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_rating.values())

    def _candidates(self, rating: int) -> list[Exemplar]:
        for distance in range(5):
            found = self.by_rating.get(rating - distance, []) + (
                self.by_rating.get(rating + distance, []) if distance else []
            )
            if found:
                return found
        return []

    def draw(
        self,
        plan: ReviewPlan,
        k: int,
        rng: random.Random,
        exclude: frozenset[str] = frozenset(),
    ) -> list[Exemplar]:
        """Base models copy the length and topics of their examples far more reliably than
        they follow a header, so prefer examples near the target length that talk about the
        target aspects, narrowing only while enough candidates remain."""
        candidates = [e for e in self._candidates(plan.rating) if e.id not in exclude]
        if not candidates or k == 0:
            return []
        target = set(plan.aspects)
        low, high = plan.length_target * 0.6, plan.length_target * 1.5
        for keep in (
            lambda e: low <= e.words <= high,
            # A plan naming no aspect is shown reviews that name none either.
            lambda e: bool(target & e.aspects) if target else not e.aspects,
            lambda e: target <= e.aspects,
        ):
            narrowed = [e for e in candidates if keep(e)]
            if len(narrowed) >= k:
                candidates = narrowed
        weights = [
            (1.0 + 2.0 * len(target & e.aspects))
            * math.exp(-abs(math.log(e.words / plan.length_target)))
            for e in candidates
        ]
        chosen: list[Exemplar] = []
        pool = list(zip(candidates, weights, strict=True))
        for _ in range(min(k, len(pool))):
            index = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
            chosen.append(pool.pop(index)[0])
        return chosen


def to_exemplars(rows: list[ReviewRow], lexicon: AspectLexicon, prefix: str) -> list[Exemplar]:
    return [
        Exemplar(
            id=row.id or f"{prefix}{i}",
            text=row.text,
            rating=row.rating or 3,
            product=row.product or "",
            aspects=frozenset(lexicon.mentions(row.text)),
            words=max(1, word_count(row.text)),
        )
        for i, row in enumerate(rows)
        if row.rating is not None
    ]


def default_exemplars(lexicon: AspectLexicon, path: str | None = None) -> ExemplarPool:
    """Examples used when no reference dataset is given (``writer.exemplars_path``, or the
    project-written smartphone examples that ship with the package)."""
    rows = list(iter_reviews(path or DEFAULT_EXEMPLARS))
    return ExemplarPool(to_exemplars(rows, lexicon, "builtin-"))
