"""``rating_consistency.v1``: the draft's sentiment must not contradict its star rating.

Uses VADER's compound score (offline). Only a clear contradiction fails: real one-star reviews
are often mildly worded ("stopped working after a week"), and VADER's sign agrees with real
ratings only about 80% of the time. Demanding the sign rejects 44% of real 1-2 star reviews and
makes the accepted set agree 100%, itself unrealistic; the defaults (fail 4-5 stars below -0.3,
1-2 stars above +0.3) pass 91% of real reviews, and 87% of those agree in sign (measured on the
shared real reviews; docs/CRITIC_RULES.md). Three-star drafts pass unless they are extremely
one-sided with no contrast ("but", "however", ...).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.sentiment import compound

_CONTRAST_RE = re.compile(
    r"\b(?:but|however|though|although|except|other than|only (?:thing|problem|issue|complaint)"
    r"|wish|yet|downside|cons)\b",
    re.IGNORECASE,
)


class RatingConsistencyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    positive_min: float = Field(-0.3, ge=-1.0, le=1.0, description="4-5 stars: compound above")
    negative_max: float = Field(0.3, ge=-1.0, le=1.0, description="1-2 stars: compound below")
    neutral_extreme: float = Field(
        0.9, gt=0.0, le=1.0, description="3 stars: |compound| above this, with no contrast, fails"
    )
    by_rating: dict[Literal[1, 2, 4, 5], float] = Field(
        default_factory=dict,
        description="per-star bound instead of positive_min / negative_max, e.g. {5: 0.0}",
    )

    def bound(self, stars: int) -> float:
        default = self.positive_min if stars >= 4 else self.negative_max
        return self.by_rating.get(stars, default)  # type: ignore[call-overload]


@register_rule("rating_consistency.v1")
class RatingConsistencyRule(CriticRule):
    """Expected sign by stars: 4-5 positive, 1-2 negative, 3 anything but one-sided."""

    Params = RatingConsistencyParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: RatingConsistencyParams = self.params  # type: ignore[assignment]
        stars = context.plan.rating
        score = compound(draft)
        details = {"compound": round(score, 4), "rating": stars}
        if stars >= 4:
            if score > p.bound(stars):
                return self.ok((1 + score) / 2, **details)
            return self.fail(
                f"This is a {stars}-star review: make it clear what you like about the "
                f"{context.category_noun}.",
                (1 + score) / 2,
                direction="more_positive",
                **details,
            )
        if stars <= 2:
            if score < p.bound(stars):
                return self.ok((1 - score) / 2, **details)
            return self.fail(
                f"This is a {stars}-star review: make the complaints clear and drop the praise.",
                (1 - score) / 2,
                direction="more_negative",
                **details,
            )
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
