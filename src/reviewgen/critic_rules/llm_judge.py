"""``llm_judge.v1``: a capable model scores realism, aspect coverage and rating fit (1-5 each).

The cheap rules catch mechanical failures; a judge catches what patterns cannot (an implausible
story, praise that only names an aspect). It runs last and only when the cheap rules pass.
A model judging its own writing rates it too kindly (self-preference bias), so the rule warns
when the judge and writer are the same model.
"""

from __future__ import annotations

import random
import warnings

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.chains.judge import ajudge
from reviewgen.core.errors import ProviderError
from reviewgen.core.ratelimit import limited
from reviewgen.core.retry import status_of, with_retries
from reviewgen.core.schemas import Verdict
from reviewgen.core.secrets import redact
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule

_DIMENSIONS = ("realism", "aspect_coverage", "rating_match")
_ADVICE = {
    "realism": "Make it read like a real customer's own words.",
    "aspect_coverage": "Say something concrete about each topic you were given.",
    "rating_match": "Make the tone fit the star rating.",
}
_warned_labels: set[str] = set()  # one self-preference warning per model per process


class LlmJudgeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_score: int = Field(3, ge=1, le=5, description="every score must reach this")
    max_parse_retries: int = Field(2, ge=0, le=5, description="re-asks after a malformed answer")


@register_rule("llm_judge.v1")
class LlmJudgeRule(CriticRule):
    """Pass when the judge (``context.models["judge"]``) gives every score ``>= min_score``."""

    Params = LlmJudgeParams
    needs_model = True

    async def acheck(self, draft: str, context: CriticContext) -> Verdict:
        p: LlmJudgeParams = self.params  # type: ignore[assignment]
        model = context.models.get("judge")
        if model is None:
            raise LookupError("llm_judge.v1 needs a judge model (models.judge in the config)")
        details: dict[str, object] = {"judge": context.model_labels.get("judge", "")}
        if self._self_preference(context):
            details["self_preference_risk"] = True
        try:
            result = await with_retries(
                lambda: limited(
                    context.limiter,
                    lambda: ajudge(
                        model,
                        draft,
                        context.plan,
                        noun=context.category_noun,
                        max_parse_retries=p.max_parse_retries,
                    ),
                ),
                context.retry,
                random.Random(context.plan.seed),
                context.on_retry,
            )
        except Exception as exc:  # a provider error; it may quote the request, key included
            error = redact(f"{type(exc).__name__}: {exc}")
            if status_of(exc) in (401, 403):  # every later call would be refused too
                raise ProviderError(f"the judge model refused the request: {error}") from None
            return self.fail("", 0.0, error=error, **details)
        details["attempts"] = result.attempts
        if result.value is None:
            return self.fail("", 0.0, raw=result.raw, parse_error=result.parse_error, **details)
        scores = {d: getattr(result.value, d) for d in _DIMENSIONS}
        score = sum(s - 1 for s in scores.values()) / (4 * len(scores))
        low = [d for d, s in scores.items() if s < p.min_score]
        details.update(scores=scores, judge_feedback=result.value.feedback)
        if not low:
            return self.ok(score, **details)
        feedback = result.value.feedback.strip() or " ".join(_ADVICE[d] for d in low)
        return self.fail(feedback, score, low_scores=low, **details)

    @staticmethod
    def _self_preference(context: CriticContext) -> bool:
        judge = context.model_labels.get("judge")
        if not judge or judge != context.model_labels.get("writer"):
            return False
        if judge not in _warned_labels:
            _warned_labels.add(judge)
            warnings.warn(
                f"llm_judge.v1: the judge and the writer are the same model ({judge}); "
                "a model tends to rate its own writing too kindly. Use a different judge model.",
                stacklevel=2,
            )
        return True
