"""``length.v1``: the draft's word count must be near the plan's ``length_target``.

Targets are sampled to match real review lengths, so drafts far off target would skew the
dataset's length distribution. ``too_short_by`` / ``too_long_by`` (words to the target) let a
completion writer adjust its token budget without reading the feedback.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.words import lower_words


class LengthParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_ratio: float = Field(0.5, gt=0.0, le=1.0, description="shortest, as a share of target")
    max_ratio: float = Field(1.6, ge=1.0, description="longest, as a share of target")
    min_words: int = Field(3, ge=1, description="absolute floor, whatever the target")
    slack_words: int = Field(
        5, ge=0, description="short targets: this many words either side always pass"
    )


@register_rule("length.v1")
class LengthRule(CriticRule):
    """Pass when ``min_ratio <= words / target <= max_ratio`` (or within ``slack_words`` of the
    target: a 6-word target would otherwise allow only 3 to 9 words) and ``words >= min_words``.

    The score is 1.0 on target and halves at each band edge (in log-ratio), so it is at least
    0.5 for every passing draft and falls towards 0 the further a failing one is off.
    """

    reaims = "length"

    Params = LengthParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: LengthParams = self.params  # type: ignore[assignment]
        target = context.plan.length_target
        words = len(lower_words(draft))  # shared with the other rules' tokenising
        ratio = words / target
        score = self._score(ratio, p)
        if abs(words - target) <= p.slack_words and words >= p.min_words:
            return self.ok(max(score, 0.5), words=words, target=target)
        if words < p.min_words or ratio < p.min_ratio:
            return self.fail(
                f"Write more: about {target} words (this draft has {words}).",
                score,
                words=words,
                target=target,
                too_short_by=target - words,
            )
        if ratio > p.max_ratio:
            return self.fail(
                f"Make it shorter: about {target} words (this draft has {words}).",
                score,
                words=words,
                target=target,
                too_long_by=words - target,
            )
        return self.ok(score, words=words, target=target)

    @staticmethod
    def _score(ratio: float, p: LengthParams) -> float:
        if ratio == 1:
            return 1.0
        edge = p.min_ratio if ratio < 1 else p.max_ratio
        if ratio <= 0 or edge == 1.0:  # a zero-width side of the band: any distance fails
            return 0.0
        return round(0.5 ** (math.log(ratio) / math.log(edge)), 4)
