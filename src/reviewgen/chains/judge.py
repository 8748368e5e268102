"""The judge chain: an LLM scores a draft's realism, aspect coverage and rating fit from 1 to 5.

The answer is structured output with bounded re-asks on parse errors (``chains.structured``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from pydantic import BaseModel, Field

from reviewgen.chains.structured import StructuredResult, ask_structured
from reviewgen.core.schemas import ReviewPlan

PROMPT = Path(__file__).parent / "prompts" / "judge.txt"
REASK = (
    "Reply with only the JSON object: integer scores 1-5 for realism, aspect_coverage and "
    "rating_match, and a feedback string."
)


class JudgeScores(BaseModel):
    """The judge's answer; every score is 1 (bad) to 5 (good)."""

    realism: int = Field(ge=1, le=5, description="reads like a real customer's review")
    aspect_coverage: int = Field(ge=1, le=5, description="says something about each aspect")
    rating_match: int = Field(ge=1, le=5, description="sentiment fits the star rating")
    feedback: str = Field("", description="one or two sentences to the writer")


@cache
def _rubric() -> Template:
    return Template(PROMPT.read_text(encoding="utf-8"))


def judge_prompt(draft: str, plan: ReviewPlan, noun: str = "product") -> str:
    """The rubric prompt for one draft (``$``-placeholders, so braces and prices are safe)."""
    return _rubric().substitute(
        noun=noun,
        product=plan.product.name,
        rating=plan.rating,
        aspects=", ".join(a.replace("_", " ") for a in plan.aspects) or "(any)",
        draft=draft.strip(),
    )


async def ajudge(
    model: Any, draft: str, plan: ReviewPlan, *, noun: str = "product", max_parse_retries: int = 2
) -> StructuredResult[JudgeScores]:
    """Score ``draft``; at most ``1 + max_parse_retries`` model calls."""
    return await ask_structured(
        model,
        JudgeScores,
        judge_prompt(draft, plan, noun),
        reask_instruction=REASK,
        max_parse_retries=max_parse_retries,
    )
