"""Builders for test records (project-written text only), and the fake model's scripts."""

from __future__ import annotations

from langchain_core.language_models import BaseLanguageModel

from reviewgen.chains.exemplars import ExemplarPool
from reviewgen.chains.writer import Writer
from reviewgen.core.config import read_config
from reviewgen.core.schemas import Persona, Product, ReviewRecord, Verdict, WritingStyle


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


def record_prompts(monkeypatch, model_name: str) -> list[str]:
    """Every prompt the fake model named ``model_name`` receives, in order (others' left out)."""
    from reviewgen.models.fake import FakeChatModel

    prompts: list[str] = []
    answer = FakeChatModel._answer

    def recording(self: FakeChatModel, prompt: str) -> str:
        if self.model_name == model_name:
            prompts.append(prompt)
        return answer(self, prompt)

    monkeypatch.setattr(FakeChatModel, "_answer", recording)
    return prompts


def answer_with(monkeypatch, respond) -> None:
    """Every model a run builds is a fake answering each prompt with ``respond(prompt)``."""
    from reviewgen.models.fake import FakeChatModel

    monkeypatch.setattr(
        "reviewgen.pipeline.build.build_model", lambda spec, **_: FakeChatModel(responder=respond)
    )


def zero_shot_writer(model: BaseLanguageModel, *, length_line: bool = False) -> Writer:
    """A completion writer with no examples: the prompt a tuned adapter is trained under."""
    return Writer(
        model,
        mode="completion",
        category=read_config(None).category,
        pool=ExemplarPool([]),
        exemplars=0,
        length_line=length_line,
    )
