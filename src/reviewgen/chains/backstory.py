"""Persona enrichment: a chat model gives the sampled customer a short backstory.

Optional (``persona.enrich``): sampled attributes already steer the writer; a backstory adds
situations a template cannot ("bought it for a night-shift job", "replacing a phone lost at
the beach"), which varies the reviews. The answer is structured output with bounded re-asks;
when no valid answer comes back the persona simply stays without one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reviewgen.chains.structured import StructuredResult, ask_structured
from reviewgen.chains.writer import describe_persona
from reviewgen.core.schemas import ReviewPlan

PROMPT = (
    "Invent a believable one- or two-sentence backstory for this online shopper, explaining "
    "why they bought the {product} and what their days with it look like. Shopper: {persona}. "
    "They will give it {rating} out of 5 stars. Plain everyday details, no names, no "
    'contact details. Answer with JSON: {{"backstory": "..."}}'
)
REASK = 'Reply with only the JSON object {"backstory": "..."} (one or two sentences).'


class Backstory(BaseModel):
    backstory: str = Field(min_length=10, max_length=400, description="one or two sentences")


class PersonaEnricher:
    def __init__(self, model: Any, noun: str, max_parse_retries: int = 2) -> None:
        self.model = model
        self.noun = noun
        self.max_parse_retries = max_parse_retries

    async def enrich(self, plan: ReviewPlan) -> tuple[ReviewPlan, StructuredResult[Backstory]]:
        """The plan with a backstory when the model gave a valid one, else unchanged."""
        prompt = PROMPT.format(
            product=plan.product.name,
            persona=describe_persona(plan.persona, self.noun),
            rating=plan.rating,
        )
        result = await ask_structured(
            self.model,
            Backstory,
            prompt,
            reask_instruction=REASK,
            max_parse_retries=self.max_parse_retries,
        )
        if result.value is None:
            return plan, result
        persona = plan.persona.model_copy(update={"backstory": result.value.backstory.strip()})
        return plan.model_copy(update={"persona": persona}), result
