"""Slip detection and the slip model: kinds found in hand-written text, rates learned from a
synthetic corpus, draws at the learned mix."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from reviewgen.text.slips import (
    SLIP_KINDS,
    SlipModel,
    default_model,
    detect,
    length_band,
    profile,
)

CLEAN = "I bought it in March. It's fast, and the battery lasts a day. I'd buy it again."


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("homophone", "Its better then my old one and your going to like it."),
        ("homophone", "I would of returned it, alot of apps crash."),
        ("apostrophe", "I dont know why but its a good phone."),
        ("lower_i", "Works fine, i use it every day."),
        ("no_space", "Great phone.The battery lasts all day."),
        ("run_on", " ".join(["the phone works and"] * 8) + " I like it."),
        ("textspeak", "Thx seller, u rock."),
        ("caps_word", "This phone is NEVER slow."),
        ("caps_rant", "DO NOT BUY THIS PHONE EVER."),
        ("repeated_punct", "Love it!!! Best phone."),
        ("ellipsis", "It works... mostly."),
        ("no_final_period", "Works as expected"),
        ("lower_start", "Works great. battery is good too."),
        ("emoticon", "Came a day early :)"),
    ],
)
def test_each_kind_is_found(kind, text):
    assert kind in profile(text)


def test_clean_text_shows_no_slip():
    assert profile(CLEAN) == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "Your phone will arrive in a box.",  # "your" before a noun is right
        "It has an LCD, USB-C and GPS.",  # acronyms are not shouting
        "My iPhone works. iOS is smooth.",  # iPhone does not start in lower case
        "Visit example.com for details.",  # a domain is not a missing space
        "Works with AT&T and T-Mobile.",
    ],
)
def test_right_forms_are_not_slips(text):
    found = profile(text)
    assert not found & {"homophone", "caps_word", "lower_start", "no_space", "lower_i"}


def test_chances_count_the_right_forms_too():
    found = detect("I dont care, I don't mind, I do not know.")
    assert (found["apostrophe"].hits, found["apostrophe"].chances) == (1, 2)
    assert (found["lower_i"].hits, found["lower_i"].chances) == (0, 3)


def _corpus() -> list[tuple[str, int]]:
    """100 reviews: 30 drop an apostrophe (all 5-star), 10 end without a full stop (1-star)."""
    corpus = [(f"I dont mind the price, number {i}.", 5) for i in range(30)]
    corpus += [(f"It broke on day {i}", 1) for i in range(10)]
    corpus += [(f"It is a good phone, number {i}.", 4) for i in range(60)]
    return corpus


def test_learned_shares_are_the_corpus_rates():
    model = SlipModel.learn(_corpus())
    shares = model.shares()
    assert shares["apostrophe"] == pytest.approx(0.30)
    assert shares["no_final_period"] == pytest.approx(0.10)
    assert model.shares(5)["apostrophe"] == 1.0 and model.shares(4)["apostrophe"] == 0.0
    assert model.intensity["apostrophe"] == [1.0] * 5


def test_draws_follow_the_learned_mix_of_the_band():
    model = SlipModel.learn(_corpus())
    rng = random.Random(5)
    # 5-star cell has 30 reviews (the minimum): every draw drops apostrophes.
    assert all(model.draw(rng, 5, 8) == {"apostrophe": 1.0} for _ in range(50))
    # 4-star cell is large and clean; 1-star cell (10) is too small: the band's mix answers.
    assert all(model.draw(rng, 4, 8) == {} for _ in range(50))
    drawn = Counter(frozenset(model.draw(rng, 1, 8)) for _ in range(2000))
    assert drawn[frozenset({"apostrophe"})] / 2000 == pytest.approx(0.30, abs=0.03)
    assert drawn[frozenset({"no_final_period"})] / 2000 == pytest.approx(0.10, abs=0.02)


def test_model_round_trips_and_refuses_other_kinds():
    model = SlipModel.learn(_corpus())
    again = SlipModel.from_dict(model.to_dict())
    assert again.cells == model.cells and again.intensity == model.intensity
    changed = model.to_dict() | {"kinds": list(SLIP_KINDS[:-1])}
    with pytest.raises(ValueError, match="other kinds"):
        SlipModel.from_dict(changed)


def test_shipped_rates_are_plausible():
    shares = default_model().shares()
    assert 0.2 < shares["no_final_period"] < 0.4
    assert 0.03 < shares["apostrophe"] < 0.15
    assert all(0.0 <= v < 0.5 for v in shares.values())


def test_length_bands():
    assert [length_band(n) for n in (0, 14, 15, 29, 30, 59, 60, 114, 115, 400)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 4, 4,
    ]  # fmt: skip
