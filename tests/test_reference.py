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


def test_a_held_out_part_of_the_reference_is_never_read_and_run_json_says_so(tmp_path, monkeypatch):
    import csv
    import json

    from reviewgen.cli import main
    from reviewgen.core.datasets import is_held_out
    from reviewgen.models.fake import FakeChatModel

    path = tmp_path / "real.csv"
    texts = [f"Review number {i}: the battery is {'good' if i % 2 else 'bad'}." for i in range(200)]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "rating"])
        writer.writerows([t, 1 + i % 5] for i, t in enumerate(texts))
    held = [t for t in texts if is_held_out(ReviewRow(t), 0.3)]
    assert 40 < len(held) < 80  # about 30%
    seen: list[str] = []
    answer = FakeChatModel._answer
    monkeypatch.setattr(FakeChatModel, "_answer", lambda m, p: seen.append(p) or answer(m, p))
    out = tmp_path / "out"
    args = ["generate", "--set", "models.default.provider=fake", "--count", "4"]
    args += ["--reference", str(path), "--set", "reference.holdout_fraction=0.3", "--out", str(out)]
    assert main(args) == 0
    manifest = json.loads((out / "run.json").read_text())["reference"]
    assert manifest["rows"] + manifest["held_out_rows"] == 200
    assert manifest["held_out_rows"] == len(held) and manifest["holdout_fraction"] == 0.3
    prompts = "\n".join(seen)
    assert sum(t in prompts for t in texts) >= 4  # the prompts show reference reviews...
    assert not any(t in prompts for t in held)  # ...never held-out ones
