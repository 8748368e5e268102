"""Plans, contexts and a small lexicon for the critic-rule tests (exposed as fixtures)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from reviewgen.core.registry import critic_rules
from reviewgen.core.schemas import Persona, Product, ReviewPlan, Verdict, WritingStyle
from reviewgen.critic_rules.base import CriticContext, CriticRule
from reviewgen.text.aspects import AspectLexicon

LEXICON = AspectLexicon(
    {
        "battery": ["battery", "battery life", "charge lasts"],
        "camera": ["camera", "photo", "photos", "pictures"],
        "display": ["screen", "display"],
        "value": ["price", "value", "worth", "money"],
        "customer_service": ["support", "refund"],
    }
)


def make_plan(
    rating: int = 5, aspects: list[str] | None = None, length_target: int = 30
) -> ReviewPlan:
    persona = Persona(
        age_band="35-44",
        occupation="teacher",
        tech_savviness="medium",
        usage="photos of the kids",
        budget="moderate",
        priorities={"battery": 1.0, "camera": 0.5},
        style=WritingStyle(),
    )
    return ReviewPlan(
        index=0,
        seed=7,
        persona=persona,
        product=Product(name="Pixel Test Phone", brand="Google", tier="mid", price=499),
        rating=rating,
        aspects=["battery"] if aspects is None else aspects,
        length_target=length_target,
    )


def make_context(
    rating: int = 5, aspects: list[str] | None = None, length_target: int = 30, **kwargs: Any
) -> CriticContext:
    kwargs.setdefault("category_noun", "phone")
    kwargs.setdefault("prompt_headers", ("Product:", "Rating:", "Review:"))
    return CriticContext(plan=make_plan(rating, aspects, length_target), lexicon=LEXICON, **kwargs)


def make_rule(name: str, params: dict[str, Any] | None = None) -> CriticRule:
    cls = critic_rules.get(name)
    return cls(cls.Params.model_validate(params or {}), name=name)


@pytest.fixture
def context() -> Callable[..., CriticContext]:
    """``context(rating=5, aspects=[...], length_target=30, **CriticContext fields)``."""
    return make_context


@pytest.fixture
def check() -> Callable[..., Verdict]:
    """``check(rule_name, draft, params=None, **context_args) -> Verdict``."""

    def run(name: str, draft: str, params: dict[str, Any] | None = None, **ctx: Any) -> Verdict:
        return asyncio.run(make_rule(name, params).acheck(draft, make_context(**ctx)))

    return run
