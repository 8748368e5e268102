"""The critic-rule contract: a ``Params`` model and ``check(draft, context) -> Verdict``.

A rule is a small class registered under a versioned name; its parameters are validated
when the config loads. Rules that need a model (the LLM judge) override ``acheck``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from reviewgen.core.ratelimit import RateLimiter
from reviewgen.core.registry import Component, critic_rules
from reviewgen.core.retry import RetryPolicy
from reviewgen.core.schemas import ReviewPlan, Verdict
from reviewgen.text.aspects import AspectLexicon


@dataclass
class CriticContext:
    """What a rule may look at besides the draft."""

    plan: ReviewPlan
    lexicon: AspectLexicon
    category_noun: str = "product"
    prompt_headers: tuple[str, ...] = ()
    exemplars: tuple[str, ...] = ()
    reference_texts: tuple[str, ...] = ()  # the run's real reviews (--reference), if any
    reference_ratings: tuple[int | None, ...] = ()  # their star ratings, in the same order
    models: dict[str, Any] = field(default_factory=dict)  # role -> LangChain model
    model_labels: dict[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(attempts=1))  # model calls
    on_retry: Callable[[BaseException], None] | None = None  # counts a model call's retries
    limiter: RateLimiter | None = None  # the judge model's request and token limits


class CriticRule(Component):
    """Base class: subclasses set ``Params`` and implement ``check``."""

    # True: runs after the cheap rules pass, and outside the loop's turn (agents/turn.py).
    # Set it for any rule whose ``acheck`` awaits I/O, model or not: a rule without it runs
    # inside the turn, and the other workers wait for its I/O.
    needs_model: ClassVar[bool] = False
    # A target the run's quotas may move to what the draft wrote when this rule is the only
    # failure ("length", "aspects"); None: a failure always rejects or revises.
    reaims: ClassVar[Literal["length", "aspects"] | None] = None

    def __init__(self, params: BaseModel | None = None, *, name: str = "") -> None:
        self.params = params if params is not None else self.Params()
        self.name = name or getattr(self, "registered_name", type(self).__name__)

    def check(self, draft: str, context: CriticContext) -> Verdict:
        raise NotImplementedError

    async def acheck(self, draft: str, context: CriticContext) -> Verdict:
        return self.check(draft, context)

    def ok(self, score: float = 1.0, **details: Any) -> Verdict:
        return Verdict(rule=self.name, passed=True, score=score, details=details)

    def fail(self, feedback: str, score: float = 0.0, **details: Any) -> Verdict:
        return Verdict(
            rule=self.name,
            passed=False,
            score=max(0.0, min(1.0, score)),
            feedback=feedback,
            details=details,
            reaims=self.reaims,
        )


def register_rule(name: str):
    """Register a rule class under a versioned name, e.g. ``@register_rule("length.v1")``."""

    return critic_rules.register(name)
