"""A writer with the length line learns how its model follows it, and asks for what comes out
at the target."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from reviewgen.chains.length_follow import LengthFollow
from reviewgen.chains.writer import Writer
from reviewgen.models.fake import FakeChatModel
from tests.critic_rules.conftest import make_plan
from tests.helpers import zero_shot_writer


def trained(written, asks=range(10, 250, 4)) -> LengthFollow:
    follow = LengthFollow()
    for asked in asks:
        follow.observe(asked, written(asked))
    return follow


def test_it_asks_for_the_target_until_the_warm_up_is_over():
    follow = LengthFollow(warmup=30)
    for asked in range(10, 68, 2):  # 29 drafts
        follow.observe(asked, asked // 2)
    assert follow.ask(100) == 100
    follow.observe(80, 40)
    assert follow.ask(100) == 200


def test_the_ask_brings_a_power_law_model_to_the_target():
    def written(asked: int) -> int:  # long asks fall shorter, as the tuned writer's did
        return round(2.0 * asked**0.8)

    follow = trained(written)
    for target in (20, 60, 130, 200):
        assert written(follow.ask(target)) == pytest.approx(target, rel=0.03)


def test_the_ask_stays_within_its_bounds_of_the_target():
    assert trained(lambda asked: max(1, asked // 5)).ask(100) == 200  # would need 500
    assert trained(lambda asked: asked * 4).ask(100) == 50  # would need 25


def test_a_flat_or_unvaried_answer_teaches_nothing():
    assert trained(lambda asked: 40).ask(100) == 100  # the model ignores the line
    assert trained(lambda asked: asked // 2, asks=[80] * 50).ask(100) == 100


def test_nothing_is_learned_from_empty_drafts():
    follow = trained(lambda asked: 0)
    assert follow.pairs == [] and follow.ask(77) == 77


def half_of_what_is_asked(prompt: str) -> str:
    asked = int(re.findall(r"Length: (\d+) words", prompt)[-1])
    return " ".join(["word"] * round(asked / 2)) + "."


def writer(length_line: bool, **fake: object) -> tuple[Writer, FakeChatModel]:
    model = FakeChatModel(**({"responder": half_of_what_is_asked} | fake))
    return zero_shot_writer(model, length_line=length_line), model


def test_the_writer_asks_a_model_that_writes_half_for_twice_the_target():
    writing, model = writer(length_line=True)
    rng = random.Random(0)
    for target in range(20, 40):  # short targets: no continuation
        for _ in range(2):
            asyncio.run(writing.draft(make_plan(length_target=target), rng))
    assert "Length: 20 words" in model.prompts[0]  # asked as planned at first
    draft = asyncio.run(writing.draft(make_plan(length_target=30), rng))
    assert "Length: 60 words" in model.prompts[-1]
    assert len(draft.text.split()) == 30


def test_a_writer_without_the_line_learns_nothing():
    writing, _ = writer(length_line=False)
    assert writing.length_follow is None


def test_a_draft_asked_for_its_length_is_continued_from_a_fifth_short():
    first = " ".join(["word"] * 70) + "."  # 70% of 100: a few-shot draft would stop here
    writing, model = writer(length_line=True, responses=[first, "more " * 19 + "words."])
    draft = asyncio.run(writing.draft(make_plan(length_target=100), random.Random(0)))
    assert len(model.prompts) == 2 and 90 <= len(draft.text.split()) <= 92
