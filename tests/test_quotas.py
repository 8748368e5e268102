"""Quotas: accepted lengths follow the reference and topics the configured mix, whatever the
model writes; drafts that miss only those targets are re-aimed, never the mix skewed."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter

from reviewgen.agents.quotas import AspectQuota, LengthQuota
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

VOCABULARY = [
    *[
        "battery",
        "camera",
        "screen",
        "phone",
        "price",
        "seller",
        "charger",
        "case",
        "works",
        "great",
        "fast",
        "slow",
        "bright",
    ],
    *[
        "heavy",
        "light",
        "cheap",
        "worth",
        "returned",
        "arrived",
        "scratched",
        "perfect",
        "happy",
        "sad",
        "broke",
        "again",
    ],
    *[
        "daily",
        "signal",
        "speaker",
        "sound",
        "apps",
        "games",
        "photos",
        "night",
        "zoom",
        "colors",
        "sharp",
        "quick",
        "late",
    ],
]
# Words that name no aspect in the default lexicon.
NEUTRAL = [
    *[
        "i",
        "it",
        "was",
        "and",
        "my",
        "really",
        "so",
        "very",
        "just",
        "good",
        "nice",
        "okay",
        "thing",
        "day",
        "week",
        "got",
    ]
]


def test_bins_follow_the_quantiles_and_cap_each_share():
    quota = LengthQuota([5] * 50 + [40] * 50, count=10, slack=0.0)
    assert quota.edges == [5, 40]
    assert quota.capacity == [5, 5]
    for _ in range(5):
        assert quota.has_room(4)
        quota.claim(4)
    assert not quota.has_room(5) and quota.has_room(6) and quota.has_room(400)


def test_slack_lets_a_bin_overfill_a_little():
    quota = LengthQuota(list(range(1, 101)), count=100, bins=4, slack=0.1)
    assert sum(quota.capacity) == 100 + 4 * 3
    for _ in range(29):  # the first bin holds 26 of 100: quota 26 + 3 slack
        quota.claim(10)
    assert not quota.has_room(10) and quota.has_room(90)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)) + "."


def _reference(path, rng):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "rating", "product"])
        for i in range(40):
            writer.writerow([_text(rng, 5 if i % 2 else 40), 5, "Test Phone"])


def _run(tmp_path, monkeypatch, lengths, count, extra=()):
    from reviewgen.models.fake import FakeChatModel

    rng = random.Random(7)
    _reference(tmp_path / "reference.csv", rng)
    model = FakeChatModel(responder=lambda prompt: _text(rng, next(lengths)))
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: model)
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "models.default.model=fake",
            f"run.count={count}",
            f"reference.path={tmp_path / 'reference.csv'}",
            "noise.enabled=false",
            "store.check_reference=false",
            "critic.rules=[{name: length.v1, params: {slack_words: 0}}]",
            *extra,
        ],
    )
    result = generate(config, tmp_path / "out")
    records = [
        json.loads(x) for x in (tmp_path / "out" / "reviews.jsonl").read_text().split("\n") if x
    ]
    return result, records


def test_a_model_that_misses_its_targets_still_fills_the_reference_mix(tmp_path, monkeypatch):
    lengths = iter([40, 5] * 100)  # alternates, whatever the plan asks for
    result, records = _run(tmp_path, monkeypatch, lengths, count=10)
    assert result.status == "complete" and len(records) == 10
    words = Counter(len(r["text"].split()) for r in records)
    assert words == {5: 5, 40: 5} or max(words.values()) <= 6
    retargeted = [r for r in records if r["planned_length"] is not None]
    assert retargeted, "drafts that missed their target should be re-aimed, not thrown away"
    assert all(r["length_target"] == len(r["text"].split()) for r in retargeted)


def test_a_full_bin_rejects_instead_of_skewing_the_mix(tmp_path, monkeypatch):
    lengths = iter([40] * 1000)  # the model only ever writes long reviews
    # Relief (tested below) would give every bin a place more after a few rejections.
    extra = ["run.max_attempts=40", "persona.quota_relief_after=100"]
    result, records = _run(tmp_path, monkeypatch, lengths, count=10, extra=extra)
    assert result.status.startswith("budget")
    assert len(records) == 6  # the long bin's 5, plus 10% slack rounded up
    rejects = [
        json.loads(x) for x in (tmp_path / "out" / "rejects.jsonl").read_text().split("\n") if x
    ]
    assert {tuple(r["reasons"]) for r in rejects} <= {("critic:length.v1",), ("length_quota_full",)}


def test_without_quota_each_draft_is_judged_against_its_own_target(tmp_path, monkeypatch):
    lengths = iter([40, 5] * 100)
    _, records = _run(tmp_path, monkeypatch, lengths, count=6, extra=["persona.retarget=false"])
    assert all(r["planned_length"] is None for r in records)
    assert all(r["length_target"] == len(r["text"].split()) for r in records)


def test_aspect_capacity_is_the_planned_share_plus_slack():
    quota = AspectQuota({"battery": 0.5, "camera": 0.1}, count=20, slack=0.1)
    assert quota.capacity == {"battery": 12, "camera": 4}
    quota.claim(["camera"] * 4)
    assert not quota.has_room(["battery", "camera"]) and quota.has_room(["battery"])
    assert not quota.is_open("unknown")


def test_drafts_on_other_topics_are_re_aimed_and_the_topic_mix_holds(tmp_path, monkeypatch):
    """The model names one random aspect per review, rarely the one it was asked for."""
    from reviewgen.pipeline.build import build
    from tests.helpers import answer_with

    rng = random.Random(3)
    terms = ["camera", "battery", "design", "price", "screen", "performance", "software"]
    terms += ["charger", "durable", "customer service", "seller", "refurbished"]

    def answer(prompt: str) -> str:
        words = " ".join(rng.choice(NEUTRAL) for _ in range(30))
        return f"The {rng.choice(terms)} is what I noticed, {words}."

    answer_with(monkeypatch, answer)
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "models.default.model=fake",
            "run.count=30",
            "noise.enabled=false",
            "store.check_reference=false",
            "store.threshold=0.95",
            "critic.rules=[{name: aspect_coverage.v1}]",
        ],
    )
    result = generate(config, tmp_path)
    records = [json.loads(x) for x in (tmp_path / "reviews.jsonl").read_text().splitlines()]
    assert result.status == "complete" and len(records) == 30
    re_aimed = [r for r in records if r["planned_aspects"] is not None]
    assert re_aimed and all(r["planned_aspects"] != r["aspects"] for r in re_aimed)
    assert all(r["critic"][0]["passed"] for r in records)  # the re-aimed plan was re-checked
    capacity = build(config, expected_size=30).stages.quotas.aspects.capacity
    for aspect, most in capacity.items():
        assert sum(aspect in r["aspects"] for r in records) <= most


def test_a_run_that_cannot_fill_a_bin_gets_relief_instead_of_stalling():
    from reviewgen.agents.quotas import Quotas
    from reviewgen.text.aspects import AspectLexicon

    length = LengthQuota([5] * 50 + [40] * 50, count=4, slack=0.0)
    quotas = Quotas(length, None, AspectLexicon({}), relief_after=3)
    quotas.claim(
        "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh ii "
        "jj kk ll mm nn",
        [],
    )
    quotas.claim(" ".join(["word"] * 40), [])
    long_text = " ".join(["word"] * 40)
    assert quotas.full(long_text, []) == "length_quota_full"
    for _ in range(2):
        quotas.missed()
    assert quotas.full(long_text, []) == "length_quota_full"
    quotas.missed()
    assert quotas.relief == 1 and quotas.full(long_text, []) is None
    quotas.claim(long_text, [])
    assert quotas.misses == 0 and quotas.full(long_text, []) == "length_quota_full"


def test_quota_relief_is_a_config_key():
    from reviewgen.pipeline.build import build

    fake = ["models.default.provider=fake", "models.default.model=fake"]
    assert build(load_config(None, fake), expected_size=10).stages.quotas.relief_after == 6
    config = load_config(None, [*fake, "persona.quota_relief_after=12"])
    assert build(config, expected_size=10).stages.quotas.relief_after == 12


def test_a_review_whose_aspects_filled_meanwhile_moves_to_another_it_covers():
    from reviewgen.agents.quotas import Quotas
    from reviewgen.core.schemas import Product, ReviewPlan
    from reviewgen.text.aspects import AspectLexicon
    from tests.helpers import make_persona

    lexicon = AspectLexicon({"battery": ["battery"], "camera": ["camera"], "value": ["price"]})
    quota = AspectQuota({"battery": 0.1, "camera": 0.1, "value": 0.1}, count=10, slack=0.0)
    quota.claim(["battery", "battery"])  # battery is full
    quotas = Quotas(None, quota, lexicon, relief_after=12)
    plan = ReviewPlan(
        index=0,
        seed=1,
        rating=4,
        product=Product(name="Phone"),
        persona=make_persona(),
        aspects=["battery"],
        length_target=10,
    )
    text = "The battery is fine and the camera too."
    assert quotas.full(text, plan.aspects) == "aspect_quota_full"
    moved = quotas.reaim_aspects(plan, text)
    assert moved is not None and moved.aspects == ["camera"]
    assert moved.planned_aspects == ["battery"] and quotas.full(text, moved.aspects) is None
    assert quotas.reaim_aspects(plan, "The battery is fine.") is None
