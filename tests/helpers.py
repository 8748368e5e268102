"""Builders for test records (project-written text only)."""

from __future__ import annotations

from reviewgen.schemas import Persona, Product, ReviewRecord, Verdict, WritingStyle


def make_persona() -> Persona:
    return Persona(
        age_band="25-34",
        occupation="nurse",
        tech_savviness="medium",
        usage="calls and texts",
        budget="moderate",
        priorities={"battery": 1.0},
        style=WritingStyle(),
    )


def make_record(slot: int, text: str | None = None) -> ReviewRecord:
    return ReviewRecord(
        id=f"r{slot}",
        text=text or f"Battery lasts a day and a half, slot {slot}.",
        rating=4,
        product=Product(name="Test Phone 1", brand="Test"),
        persona=make_persona(),
        aspects=["battery"],
        length_target=20,
        models={"writer": "fake:fake"},
        seed=slot,
        slot=slot,
        attempts=1,
        critic=[Verdict(rule="length.v1", passed=True)],
    )
