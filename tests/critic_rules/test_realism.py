"""realism.v1: learns real vs synthetic from the reference and the run's drafts, fails the most
synthetic-looking share. Texts are written here from small word lists (no shared data)."""

from __future__ import annotations

import random

from tests.critic_rules.conftest import make_context, make_rule
from tests.helpers import answer_with

THINGS = ["battery", "screen", "camera", "charger", "case", "price", "sound", "speaker"]
GOOD = ["good", "great", "ok", "fine", "nice", "solid", "decent"]
BAD = ["bad", "weak", "slow", "poor", "awful"]


def real_like(rng: random.Random) -> str:
    """Terse, lower-case, like many marketplace reviews."""
    pattern = rng.choice(
        [
            "{g} phone {t} is {g}",
            "works {g}, {t} {b} tho",
            "{t} {g} for the money",
            "came fast. {t} {b}",
            "my son likes it {t} {g}",
        ]
    )
    return pattern.format(g=rng.choice(GOOD), b=rng.choice(BAD), t=rng.choice(THINGS))


def generated_like(rng: random.Random, polish: int) -> str:
    """Polished assistant prose; ``polish`` (0-3) adds more of its stock phrases."""
    sentences = [f"The {rng.choice(THINGS)} is {rng.choice(GOOD)} and I use it every day."]
    stock = [
        "Overall, this phone is an excellent choice for anyone.",
        "I highly recommend this device to anyone looking for a reliable option.",
        "In conclusion, it offers impressive performance and seamless usability.",
    ]
    sentences += stock[:polish]
    return " ".join(sentences)


def reference(n: int = 200) -> tuple[str, ...]:
    rng = random.Random(1)
    return tuple(real_like(rng) for _ in range(n))


def test_without_a_reference_every_draft_passes():
    rule = make_rule("realism.v1")
    verdict = rule.check(generated_like(random.Random(0), 3), make_context())
    assert verdict.passed and verdict.details["skipped"]


def test_drafts_pass_while_it_warms_up():
    rule, rng = make_rule("realism.v1", {"warmup": 20}), random.Random(0)
    context = make_context(reference_texts=reference())
    verdicts = [rule.check(generated_like(rng, 3), context) for _ in range(19)]
    assert all(v.passed and v.details["warming_up"] for v in verdicts)


def feed(rule, rng, context, drafts: int) -> None:
    for i in range(drafts):
        rule.check(generated_like(rng, i % 4) + f" Day {i}.", context)


def test_the_most_synthetic_share_fails_with_the_words_that_gave_it_away():
    rule, rng = make_rule("realism.v1", {"warmup": 40, "reject_share": 0.25}), random.Random(0)
    context = make_context(reference_texts=reference())
    feed(rule, rng, context, 64)  # the second fit happens at 64 drafts
    plain = rule.check("screen ok for the money, battery weak tho", context)
    assert plain.passed and plain.details["synthetic_score"] <= plain.details["threshold"]
    polished = rule.check(generated_like(rng, 3) + " Day 99.", context)
    assert not polished.passed
    assert polished.details["synthetic_words"]
    assert all(w in polished.feedback for w in polished.details["synthetic_words"])
    # Across fresh drafts of every polish level, about the configured share fails.
    verdicts = [rule.check(generated_like(rng, i % 4) + f" Night {i}.", context) for i in range(60)]
    failed = sum(not v.passed for v in verdicts) / len(verdicts)
    assert 0.1 <= failed <= 0.45
    assert all(v.passed for v in verdicts[0::4])  # the plainest pass


def test_the_same_drafts_in_the_same_order_give_the_same_verdicts():
    context = make_context(reference_texts=reference())
    verdicts = []
    for _ in range(2):
        rule, rng = make_rule("realism.v1", {"warmup": 30}), random.Random(0)
        verdicts.append(
            [rule.check(generated_like(rng, i % 4) + f" {i}", context) for i in range(50)]
        )
    assert verdicts[0] == verdicts[1]


def test_a_run_with_a_reference_learns_from_its_drafts_and_rejects_the_polished(
    tmp_path, monkeypatch
):
    import csv
    import json

    from reviewgen.pipeline.components import load_config
    from reviewgen.pipeline.run import generate

    with (tmp_path / "reference.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "rating", "product"])
        writer.writerows([text, 5, "Test Phone"] for text in reference(120))
    rng = random.Random(3)
    drafts = iter(range(10**6))

    def respond(prompt: str) -> str:
        i = next(drafts)
        return real_like(rng) + f" {i}" if i % 3 else generated_like(rng, 3) + f" {i}"

    answer_with(monkeypatch, respond)
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "models.default.model=fake",
            "run.count=30",
            f"reference.path={tmp_path / 'reference.csv'}",
            "noise.enabled=false",
            "store.check_reference=false",
            "store.threshold=0.99",  # the templated texts are alike
            "persona.retarget=false",
            "writer.max_revisions=0",  # a failed draft is a reject, so it shows in rejects.jsonl
            "critic.rules=[{name: realism.v1, params: {warmup: 12, reject_share: 0.3}}]",
        ],
    )
    assert generate(config, tmp_path / "out").status == "complete"
    rejects = [json.loads(x) for x in (tmp_path / "out" / "rejects.jsonl").open()]
    polished = [r for r in rejects if "Overall" in r["text"]]
    assert polished and all(r["reasons"] == ["critic:realism.v1"] for r in rejects)
    accepted = [json.loads(x) for x in (tmp_path / "out" / "reviews.jsonl").open()]
    judged = [r for r in accepted if "synthetic_score" in r["critic"][0]["details"]]
    assert len(judged) >= 10 and sum("Overall" in r["text"] for r in judged) <= 2


def test_a_long_run_learns_from_its_latest_drafts_only(monkeypatch):
    from reviewgen.critic_rules import realism

    fitted_on = []
    detector = realism.Detector

    def counting(real, synthetic, share):
        fitted_on.append(len(synthetic))
        return detector(real, synthetic, share)

    monkeypatch.setattr(realism, "Detector", counting)
    rule, rng = make_rule("realism.v1", {"warmup": 20, "max_drafts": 64}), random.Random(0)
    context = make_context(reference_texts=reference())
    draft = generated_like(rng, 1)
    rule.check(draft, context)
    rule.check(draft, context)  # reviewed again after re-aiming: learned once
    feed(rule, rng, context, 190)  # 191 drafts: counted twice, the second would reach 192
    assert fitted_on == [20, 32, 64, 64]  # at 20, 32, 64, then every 64 drafts (128)
