"""rating_consistency.v1: VADER sentiment against the star rating (clear contradictions fail)."""

from __future__ import annotations

import pytest

HAPPY = "Really happy with it. The battery lasts two days and the camera takes lovely photos."
ANGRY = "Terrible phone. The battery died after a week and the screen cracked. Waste of money."
FLAT = "It arrived on Tuesday and I sent it back on Friday."
GUSHING = "I love this phone so much, it is wonderful and great, the best!"
MIXED = "The camera is nice but the battery barely makes it to dinner. Fine for the price."


@pytest.mark.parametrize("stars", [4, 5])
def test_positive_text_passes_high_ratings(check, stars):
    verdict = check("rating_consistency.v1", HAPPY, rating=stars)
    assert verdict.passed
    assert verdict.details["compound"] > 0.05


def test_negative_text_fails_five_stars(check):
    verdict = check("rating_consistency.v1", ANGRY, rating=5)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_positive"
    assert "5-star" in verdict.feedback and "phone" in verdict.feedback


@pytest.mark.parametrize("stars", [1, 2])
def test_negative_text_passes_low_ratings(check, stars):
    assert check("rating_consistency.v1", ANGRY, rating=stars).passed


def test_gushing_text_fails_one_star(check):
    verdict = check("rating_consistency.v1", GUSHING, rating=1)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_negative"
    assert verdict.feedback.startswith("This is a 1-star review")


def test_neutral_wording_passes_one_star_unless_the_sign_is_demanded(check):
    assert check("rating_consistency.v1", FLAT, rating=1).passed
    assert not check("rating_consistency.v1", FLAT, {"negative_max": -0.05}, rating=1).passed


def test_mildly_positive_one_star_passes_but_clear_praise_fails(check):
    mild = "Works okay I guess, but it stopped charging after a week."
    assert check("rating_consistency.v1", mild, rating=1).passed
    assert not check("rating_consistency.v1", HAPPY, rating=1).passed


def test_three_stars_pass_mixed_text(check):
    assert check("rating_consistency.v1", MIXED, rating=3).passed


def test_three_stars_fail_one_sided_text_without_contrast(check):
    verdict = check("rating_consistency.v1", GUSHING, rating=3)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_negative"
    assert verdict.feedback == "This is a 3-star review: mention a downside too."


def test_three_stars_allow_strong_praise_with_a_contrast(check):
    draft = GUSHING + " I wish the case was thicker though."
    verdict = check("rating_consistency.v1", draft, rating=3)
    assert verdict.details["compound"] > 0.9
    assert verdict.passed


def test_three_stars_fail_one_sided_complaints(check):
    draft = "Horrible, awful, useless junk. Worst phone ever, hate it, broken and a total scam."
    verdict = check("rating_consistency.v1", draft, rating=3)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_positive"


# VADER's quirks the fast analyzer must keep: negation one to three words back, "never so",
# "without doubt", "kind of", idioms, boosters, "but", "least", ALL CAPS, "!", "?", emoji.
VADER_CASES = [
    HAPPY,
    ANGRY,
    MIXED,
    GUSHING,
    "",
    "   ",
    "Not good. Not very good at all. Never so happy. This is not the best.",
    "Without doubt the best phone, and it isn't bad, it isn't terrible, no problems.",
    "It is kind of good, sort of okay, the bomb, yeah right, bus stop, to die for.",
    "At least it works, least favourite, very least, no or nor good.",
    "The camera is GREAT but the battery is AWFUL!!! Why?? Why???",
    "Love it 😍 😡 👍 but the screen :( is meh :)",
    "No good, no, nothing good, never good, not bad at all",
    "I don't love it, it doesn't suck, can't complain, wouldn't recommend.",
    "EXTREMELY happy, incredibly bad, barely works, slightly broken, hardly great.",
    "It is really very extremely good, so VERY GOOD, no no bad, NO doubt a SUPER phone.",
    "kind of great, kind good, the no good phone, not at all nice",
    # "but" rescales by value (list.index): repeated and coinciding valences, zeros around it.
    "good good, but good and good. great but bad, bad, not bad but good good",
    "okay fine nice but nice okay, love love but hate, sad but sad happy",
]


@pytest.mark.parametrize("text", VADER_CASES)
def test_fast_vader_scores_like_vader(text):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from reviewgen.text.sentiment import _FastAnalyzer

    assert _FastAnalyzer().polarity_scores(text) == SentimentIntensityAnalyzer().polarity_scores(
        text
    )


def test_a_per_star_bound_overrides_only_its_own_star_level(check):
    strict_five = {"by_rating": {5: 0.0}}
    assert not check("rating_consistency.v1", FLAT, strict_five, rating=5).passed
    assert check("rating_consistency.v1", FLAT, strict_five, rating=4).passed
    assert check("rating_consistency.v1", HAPPY, strict_five, rating=5).passed


def test_a_bound_for_three_stars_is_refused(check):
    with pytest.raises(Exception, match="by_rating"):
        check("rating_consistency.v1", FLAT, {"by_rating": {3: 0.0}}, rating=3)
