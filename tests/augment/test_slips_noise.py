"""Making and repairing slips: each kind shows up where asked, at about its rate, reproducibly,
never inside protected words; the generator's conform step repairs undrawn kinds."""

from __future__ import annotations

import random

import pytest

from reviewgen.augment.base import protected_occurrences
from reviewgen.augment.noise import apply_slips, apply_style_noise
from reviewgen.core.schemas import WritingStyle
from reviewgen.text.slips import SLIP_KINDS, detect, profile

TEXT = (
    "I bought this phone for my son in May. It's better than his old one and I'm glad we "
    "switched. The battery lasts all day, though the camera is only okay. We don't play games "
    "on it. You're going to love the screen. Shipping was quick and the seller was great. "
    "I would have paid more for it."
)
PROTECTED = {"battery", "camera", "screen", "seller", "shipping", "games", "phone"}


@pytest.mark.parametrize("kind", SLIP_KINDS)
def test_each_kind_is_made_and_then_found(kind):
    text, changes = apply_slips(TEXT, {kind: 0.5}, random.Random(1), PROTECTED)
    assert changes.get(f"slip_{kind}", 0) >= 1
    assert kind in profile(text)
    assert profile(TEXT) == frozenset()  # the text had none of them before


@pytest.mark.parametrize("kind", SLIP_KINDS)
def test_protected_words_keep_spelling_and_case(kind):
    text, _ = apply_slips(TEXT, {kind: 1.0}, random.Random(2), PROTECTED)
    before = protected_occurrences(TEXT, PROTECTED)
    assert protected_occurrences(text, PROTECTED) == before
    for word in ("battery", "camera", "seller"):
        assert word in text  # exact case: even a shouted sentence keeps them


def test_rate_is_the_share_of_chances_taken():
    text = " ".join(f"I think I like it, day {i}." for i in range(100))  # 200 chances
    taken = []
    for seed in range(5):
        out, changes = apply_slips(text, {"lower_i": 0.3}, random.Random(seed), ())
        taken.append(changes["slip_lower_i"] / detect(text)["lower_i"].chances)
        assert detect(out)["lower_i"].hits == changes["slip_lower_i"]
    assert sum(taken) / len(taken) == pytest.approx(0.3, abs=0.04)


def test_a_seed_reproduces_the_slips():
    slips = {"apostrophe": 0.5, "run_on": 0.3, "repeated_punct": 0.5, "lower_i": 1.0}
    first = apply_slips(TEXT, slips, random.Random(9), PROTECTED)
    assert first == apply_slips(TEXT, slips, random.Random(9), PROTECTED)
    assert first != apply_slips(TEXT, slips, random.Random(10), PROTECTED)


def test_conform_repairs_what_was_not_drawn_and_keeps_what_was():
    sloppy = "i got it yesterday..it works great!!! dont like the charger.the screen is ok"
    text, changes = apply_slips(sloppy, {}, random.Random(0), PROTECTED, conform=True)
    assert text == "I got it yesterday. It works great! Don't like the charger. The screen is ok."
    assert profile(text) == frozenset()
    assert changes["fixed_lower_i"] == 1 and changes["fixed_apostrophe"] == 1
    kept, changes = apply_slips(sloppy, {"lower_i": 1.0}, random.Random(0), PROTECTED, conform=True)
    assert kept.startswith("i got it") and "fixed_lower_i" not in changes


def test_a_kind_already_present_is_not_made_again():
    text = "i like it. I use it daily."
    out, changes = apply_slips(text, {"lower_i": 1.0}, random.Random(0), ())
    assert out == text and changes == {}


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown slip kinds"):
        apply_slips(TEXT, {"typo": 0.1}, random.Random(0))


def test_style_noise_records_the_slips_it_made():
    style = WritingStyle(slips={"apostrophe": 1.0, "no_final_period": 1.0})
    text, changes = apply_style_noise(TEXT, style, random.Random(3), PROTECTED, conform=True)
    assert changes == {"slip_apostrophe": 4, "slip_no_final_period": 1}  # all 4 contractions
    assert "don't" not in text and not text.endswith(".")


def test_generator_noise_has_no_keyboard_typos():
    style = WritingStyle(slips={k: 0.5 for k in SLIP_KINDS})
    for seed in range(20):
        _, changes = apply_style_noise(TEXT, style, random.Random(seed), PROTECTED, conform=True)
        assert not any(name.startswith("typo_") for name in changes)


def test_a_rant_shouts_only_sentences_without_protected_words():
    text = "The battery died in a week. I will never buy from them again. The camera is blurry."
    out, changes = apply_slips(text, {"caps_rant": 1.0}, random.Random(0), PROTECTED)
    assert (
        out == "The battery died in a week. I WILL NEVER BUY FROM THEM AGAIN. The camera is blurry."
    )
    assert changes == {"slip_caps_rant": 1}
    every = "The battery died. The camera is blurry and dark."
    assert apply_slips(every, {"caps_rant": 1.0}, random.Random(0), PROTECTED) == (every, {})
