"""``rating_consistency.v1``: the tone of a run's reviews agrees with their stars as often as
real reviews' does, no more.

Real people write "love it, but the battery died in a week" and give two stars: in the shared
real phone reviews the tone's sign disagrees with the stars in about a quarter of 1-star and
a third of 2-star reviews, and a rule that demanded agreement made runs agree 95% of the time
against real reviews' 81%, a giveaway of its own. So a draft whose tone disagrees with its
stars ("mixed") passes while the run's share of mixed reviews of that star rating is below the
real share, and one whose tone is clearly opposite (beyond ``opposite_at``) while the share of
those is too; only the excess fails. A star rating whose drafts are mixed less often than its
real share leaves the difference to the others (the writer's 4-5 star drafts rarely are), so
the run's share of mixed reviews overall stays at the real one. The shares come from the
reference's reviews when the run has one (``--reference``), else from rates shipped with
reviewgen (``data/agreement_rates.json``, measured by ``benchmarks/bench_realism_rules.py``).

The tone is the mean of VADER's compound score and reviewgen's own phone-review lexicon
(``reviewgen.text.polarity``: "returned it", "stopped working", "no problems"), so the rule does
not steer by the evaluation's own VADER score alone. Three-star drafts pass unless they are
extremely one-sided with no contrast ("but", "however", ...).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.polarity import polarity
from reviewgen.text.sentiment import compound

_CONTRAST_RE = re.compile(
    r"\b(?:but|however|though|although|except|other than|only (?:thing|problem|issue|complaint)"
    r"|wish|yet|downside|cons)\b",
    re.IGNORECASE,
)
Stars = Literal[1, 2, 4, 5]
SIGNED = (1, 2, 4, 5)
OPPOSITE_AT = 0.5
DEFAULT_SHARES = Path(__file__).parent.parent / "data" / "agreement_rates.json"
MIN_REFERENCE = 20  # reviews of a star rating a reference needs to set that rating's shares
REMOVED = ("positive_min", "negative_max", "by_rating")


def tone(text: str) -> float:
    """Mean of VADER's compound score and the phone-review lexicon's, in [-1, 1]."""
    return (compound(text) + polarity(text)) / 2


def expected_sign(stars: int) -> int:
    return 1 if stars >= 4 else -1


def disagreement(score: float, stars: int, opposite_at: float = OPPOSITE_AT) -> tuple[bool, bool]:
    """(mixed: the tone's sign is not the stars', opposite: clearly so, beyond ``opposite_at``)."""
    signed = score * expected_sign(stars)
    return signed <= 0, signed < -opposite_at


def measure_shares(
    reviews: Sequence[tuple[str, int | None]], opposite_at: float = OPPOSITE_AT
) -> dict[str, dict[str, float]]:
    """Per star rating (1, 2, 4, 5), the share of reviews whose tone is mixed / opposite."""
    shares: dict[str, dict[str, float]] = {}
    for stars in SIGNED:
        flags = [disagreement(tone(t), stars, opposite_at) for t, r in reviews if r == stars]
        if len(flags) >= MIN_REFERENCE:
            shares[str(stars)] = {
                "mixed": round(sum(m for m, _ in flags) / len(flags), 4),
                "opposite": round(sum(o for _, o in flags) / len(flags), 4),
                "n": len(flags),
            }
    return shares


@lru_cache(maxsize=1)
def default_shares() -> dict[str, dict[str, float]]:
    return json.loads(DEFAULT_SHARES.read_text(encoding="utf-8"))["shares"]


class Share(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mixed: float = Field(ge=0.0, le=1.0, description="tone's sign not the stars'")
    opposite: float = Field(ge=0.0, le=1.0, description="tone clearly opposite the stars")


class RatingConsistencyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shares: dict[Stars, Share] | None = Field(
        None,
        description="per star rating, the share of mixed / opposite reviews to let through; "
        "unset: the reference's, else the shipped real rates",
    )
    opposite_at: float = Field(
        OPPOSITE_AT, gt=0.0, le=1.0, description="tone beyond this on the wrong side: opposite"
    )
    neutral_extreme: float = Field(
        0.9, gt=0.0, le=1.0, description="3 stars: |tone| above this, with no contrast, fails"
    )

    @model_validator(mode="before")
    @classmethod
    def _removed(cls, data: Any) -> Any:
        removed = [k for k in REMOVED if isinstance(data, dict) and k in data]
        if removed:
            raise ValueError(
                f"{', '.join(removed)} removed: rating_consistency.v1 now lets through as many "
                "reviews whose tone disagrees with the stars as real reviews have (set "
                "'shares', e.g. {5: {mixed: 0.05, opposite: 0.01}}, or leave it to the reference)"
            )
        return data


@register_rule("rating_consistency.v1")
class RatingConsistencyRule(CriticRule):
    """Mixed and opposite tones pass up to their real share per star rating; 3 stars pass
    anything but a one-sided text without contrast."""

    Params = RatingConsistencyParams

    def __init__(self, params: BaseModel | None = None, *, name: str = "") -> None:
        super().__init__(params, name=name)
        self._shares: dict[str, dict[str, float]] | None = None
        # Per star rating: drafts passed, of them mixed, of them opposite (each text once).
        self._passed: dict[int, list[int]] = {s: [0, 0, 0] for s in SIGNED}
        self._seen: dict[str, bool] = {}

    def shares(self, context: CriticContext) -> dict[str, dict[str, float]]:
        if self._shares is None:
            p: RatingConsistencyParams = self.params  # type: ignore[assignment]
            if p.shares is not None:
                self._shares = {str(s): v.model_dump() for s, v in p.shares.items()}
            else:
                rated = list(zip(context.reference_texts, context.reference_ratings, strict=False))
                learned = measure_shares(rated, p.opposite_at) if rated else {}
                self._shares = {**default_shares(), **learned}
        return self._shares

    def _room(self, stars: int, opposite: bool, context: CriticContext) -> bool:
        """Room for one more mixed draft of ``stars``: in its own star rating's share, or in
        the run's (the shares weighted by the drafts passed per star rating). A writer that
        never mixes its 4-5 star reviews leaves their share to its 1-2 star ones: a 39-draft
        sample of the embedded model agreed 90% by star rating alone against real reviews'
        80% (benchmarks/bench_noise_ab.py). A clearly opposite tone needs room in its own."""
        shares = self.shares(context)
        none = {"mixed": 0.0, "opposite": 0.0}
        share = shares.get(str(stars), none)
        passed, mixed, opposed = self._passed[stars]
        # Rounded up: a share is at most one review over the real one (rounding to the
        # nearest left no room before the tenth 5-star draft at 5% mixed).
        own_room = mixed + 1 <= math.ceil(share["mixed"] * (passed + 1))
        if opposite:
            return own_room and opposed + 1 <= math.ceil(share["opposite"] * (passed + 1))
        if own_room:
            return True
        expected = share["mixed"] + sum(
            shares.get(str(s), none)["mixed"] * counts[0] for s, counts in self._passed.items()
        )
        return sum(c[1] for c in self._passed.values()) + 1 <= math.ceil(expected)

    def _count(self, draft: str, stars: int, mixed: bool, opposite: bool) -> None:
        if draft in self._seen:
            return
        self._seen[draft] = True
        counts = self._passed[stars]
        counts[0] += 1
        counts[1] += mixed
        counts[2] += opposite

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: RatingConsistencyParams = self.params  # type: ignore[assignment]
        stars = context.plan.rating
        score = tone(draft)
        details: dict[str, Any] = {"tone": round(score, 4), "rating": stars}
        if stars == 3:
            return self._three_stars(draft, score, p, details)
        mixed, opposite = disagreement(score, stars, p.opposite_at)
        agreement = (1 + score * expected_sign(stars)) / 2
        if not mixed or draft in self._seen or self._room(stars, opposite, context):
            self._count(draft, stars, mixed, opposite)
            return self.ok(agreement, mixed=mixed, **details)
        if stars >= 4:
            return self.fail(
                f"This is a {stars}-star review: make it clear what you like about the "
                f"{context.category_noun}.",
                agreement,
                direction="more_positive",
                **details,
            )
        return self.fail(
            f"This is a {stars}-star review: make the complaints clear and drop the praise.",
            agreement,
            direction="more_negative",
            **details,
        )

    def _three_stars(
        self, draft: str, score: float, p: RatingConsistencyParams, details: dict[str, Any]
    ) -> Verdict:
        balance = 1 - abs(score) / 2
        if abs(score) <= p.neutral_extreme or _CONTRAST_RE.search(draft):
            return self.ok(balance, **details)
        if score > 0:
            return self.fail(
                "This is a 3-star review: mention a downside too.",
                balance,
                direction="more_negative",
                **details,
            )
        return self.fail(
            "This is a 3-star review: mention something good too.",
            balance,
            direction="more_positive",
            **details,
        )
