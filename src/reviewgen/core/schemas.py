"""The records that flow through the pipeline and land on disk.

``ReviewRecord`` is the dataset's row format (documented in the README); it always carries
``synthetic: true`` so a record cannot be mistaken for a real review once it leaves the tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewgen import __version__


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    brand: str = ""
    tier: str = ""
    price: float | None = None


class WritingStyle(BaseModel):
    """How a persona writes; applied by the writer prompt and by the style-noise step."""

    model_config = ConfigDict(extra="forbid")

    verbosity: Literal["terse", "normal", "chatty"] = "normal"
    casing: Literal["normal", "lowercase", "shouty"] = "normal"
    punctuation: Literal["normal", "minimal", "excited", "ellipses"] = "normal"
    typo_rate: float = Field(0.0, ge=0.0, le=0.2)
    emoji: bool = False
    slang: bool = False
    drops_apostrophes: bool = False
    slips: dict[str, float] = Field(
        default_factory=dict,
        description="slip kind (reviewgen.text.slips) -> share of its chances the writer takes",
    )


def trait(config_key: str, prompt: str) -> Any:
    """A persona trait: drawn from ``persona.<config_key>`` in the config (a mapping of weights,
    or a list drawn uniformly) and shown to the writer as ``prompt`` (``{value}``, ``{noun}``).

    Adding a trait is this field plus its config key: the persona sampler and the writer read
    every trait from here.
    """
    return Field("", json_schema_extra={"config": config_key, "prompt": prompt})


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Traits, in the order they are drawn and shown.
    age_band: str = trait("age_bands", "{value} years old")
    occupation: str = trait("occupations", "{value}")
    tech_savviness: str = trait("tech_savviness", "{value} tech-savviness")
    usage: str = trait("usage", "uses the {noun} for {value}")
    budget: str = trait("budgets", "{value} budget")
    priorities: dict[str, float]
    style: WritingStyle
    backstory: str | None = None


class ReviewPlan(BaseModel):
    """One slot of the run: who writes about what, with how many stars and words."""

    model_config = ConfigDict(extra="forbid")

    index: int
    seed: int
    persona: Persona
    product: Product
    rating: int = Field(ge=1, le=5)
    aspects: list[str]
    length_target: int = Field(gt=0)
    planned_length: int | None = Field(
        None, description="first target, when a length quota re-aimed the draft at its own length"
    )
    planned_aspects: list[str] | None = Field(
        None, description="first aspects, when the aspect quota re-aimed the draft at its own"
    )


class Verdict(BaseModel):
    """A critic rule's judgement of one draft; ``feedback`` is addressed to the writer."""

    rule: str
    passed: bool
    score: float = Field(1.0, ge=0.0, le=1.0)
    feedback: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    # What a failure of this rule could be re-aimed at instead of rejected ("length",
    # "aspects"), declared by the rule itself; not part of the written record.
    reaims: Literal["length", "aspects"] | None = Field(None, exclude=True)


class Usage(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ReviewRecord(BaseModel):
    """One accepted review, one line of ``reviews.jsonl``."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    rating: int = Field(ge=1, le=5)
    product: Product
    persona: Persona
    aspects: list[str]
    length_target: int
    planned_length: int | None = None
    planned_aspects: list[str] | None = None
    models: dict[str, str]
    seed: int
    slot: int
    attempts: int = Field(description="drafts written for this slot, revisions included")
    critic: list[Verdict]
    noise: dict[str, Any] = Field(default_factory=dict)
    exemplar_ids: list[str] = Field(default_factory=list)
    nearest_similarity: float | None = None
    synthetic: Literal[True] = True
    created_at: str = Field(default_factory=_now)
    generator: str = f"reviewgen {__version__}"


class RejectRecord(BaseModel):
    """A candidate that did not make it, with the reasons (one line of ``rejects.jsonl``)."""

    model_config = ConfigDict(extra="forbid")

    slot: int
    attempt: int
    text: str
    reasons: list[str]
    critic: list[Verdict] = Field(default_factory=list)
    duplicate_of: str | None = None
    similarity: float | None = None
    synthetic: Literal[True] = True
    created_at: str = Field(default_factory=_now)


@dataclass
class CriticReport:
    verdicts: list[Verdict]

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failed_rules(self) -> list[str]:
        return [v.rule for v in self.verdicts if not v.passed]

    def feedback(self) -> str:
        return "\n".join(f"- {v.feedback}" for v in self.verdicts if not v.passed and v.feedback)


def persona_traits() -> list[tuple[str, str, str]]:
    """(field, config key, prompt) of every persona trait, in drawing order."""
    return [
        (name, extra["config"], extra["prompt"])
        for name, field in Persona.model_fields.items()
        if isinstance(extra := field.json_schema_extra, dict) and "config" in extra
    ]
