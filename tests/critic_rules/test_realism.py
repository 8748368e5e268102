"""realism.v1: learns real vs synthetic from the reference and the run's drafts, fails the most
synthetic-looking share. Texts are written here from small word lists (no shared data)."""

from __future__ import annotations

import random

from tests.critic_rules.conftest import make_context, make_rule

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
