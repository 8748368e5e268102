"""Reference calibration of untargeted reviews: real reviews often name no aspect at all
("works great, as described"), the shorter the more often; plans follow that share."""

from __future__ import annotations

import random

from reviewgen.agents.persona import Calibration, PersonaAgent
from reviewgen.chains.exemplars import Exemplar, ExemplarPool
from reviewgen.core.datasets import ReviewRow
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.reference import calibrate
from reviewgen.text.aspects import AspectLexicon

LEXICON = AspectLexicon({"battery": ["battery"], "camera": ["camera"]})
FILLER = "it was fine and i would say so again"


def _words(n: int, lead: str = "") -> str:
    words = (lead.split() + FILLER.split() * n)[:n]
    return " ".join(words)


def test_calibration_takes_the_share_naming_no_aspect_per_length_band():
    rows = [ReviewRow(_words(5), 5) for _ in range(30)]  # short, no aspect
    rows += [ReviewRow(_words(45, "battery"), 5) for _ in range(30)]  # long, names one
    rows += [ReviewRow(_words(25, "camera"), 5) for _ in range(5)]  # too few for their band
    calibration = calibrate(rows, ["aspects"], max_products=10, lexicon=LEXICON)
    overall = 30 / 65
    assert calibration.untargeted_share(3) == 1.0
    assert calibration.untargeted_share(45) == 0.0
    assert calibration.untargeted_share(25) == overall
    assert calibration.untargeted_share(500) == overall
    assert calibrate(rows, ["ratings"], 10, LEXICON).untargeted_share(3) == 0.0


def test_plans_name_no_aspect_as_often_as_reference_reviews_of_their_length():
    config = load_config(None)
    shares = [0.6, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0]  # 0-9 words: 60%, 10-19: 30%, longer: none
    lengths = {5: list(range(3, 20))}
    agent = PersonaAgent(config, Calibration(lengths=lengths, untargeted=shares))
    plans = [agent.plan(slot, 5, run_seed=2) for slot in range(3000)]
    for band, share in ((0, 0.6), (1, 0.3)):
        in_band = [p for p in plans if p.length_target // 10 == band]
        untargeted = sum(not p.aspects for p in in_band) / len(in_band)
        assert abs(untargeted - share) < 0.05
    uncalibrated = PersonaAgent(config, Calibration(lengths=lengths))
    assert all(uncalibrated.plan(slot, 5, run_seed=2).aspects for slot in range(300))


def test_a_plan_naming_no_aspect_is_shown_reviews_naming_none():
    def exemplar(i: int, aspects: frozenset[str]) -> Exemplar:
        return Exemplar(f"e{i}", "text", 5, "Phone", aspects, 20)

    pool = ExemplarPool(
        [exemplar(i, frozenset({"battery"})) for i in range(10)]
        + [exemplar(i, frozenset()) for i in range(10, 14)]
    )
    agent = PersonaAgent(load_config(None))
    plan = agent.plan(0, 5, run_seed=1).model_copy(update={"aspects": [], "length_target": 20})
    for seed in range(20):
        drawn = pool.draw(plan, 3, random.Random(seed))
        assert len(drawn) == 3 and not any(e.aspects for e in drawn)
    targeted = plan.model_copy(update={"aspects": ["battery"]})
    assert all(e.aspects for e in pool.draw(targeted, 3, random.Random(0)))
