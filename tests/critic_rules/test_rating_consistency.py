"""rating_consistency.v1: mixed tones pass at the real share per star rating, the excess fails."""

from __future__ import annotations

import pytest

HAPPY = "Really happy with it. The battery lasts two days and the camera takes lovely photos."
ANGRY = "Terrible phone. The battery died after a week and the screen cracked. Waste of money."
FLAT = "It arrived on Tuesday and I sent it back on Friday."
GUSHING = "I love this phone so much, it is wonderful and great, the best!"
MIXED = "The camera is nice but the battery barely makes it to dinner. Fine for the price."


NONE = {"shares": {s: {"mixed": 0.0, "opposite": 0.0} for s in (1, 2, 4, 5)}}


@pytest.mark.parametrize("stars", [4, 5])
def test_positive_text_passes_high_ratings(check, stars):
    verdict = check("rating_consistency.v1", HAPPY, NONE, rating=stars)
    assert verdict.passed and verdict.details["tone"] > 0.3


def test_negative_text_fails_five_stars_when_no_mixed_review_is_allowed(check):
    verdict = check("rating_consistency.v1", ANGRY, NONE, rating=5)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_positive"
    assert "5-star" in verdict.feedback and "phone" in verdict.feedback


@pytest.mark.parametrize("stars", [1, 2])
def test_negative_text_passes_low_ratings(check, stars):
    assert check("rating_consistency.v1", ANGRY, NONE, rating=stars).passed


def test_gushing_text_fails_one_star_when_no_mixed_review_is_allowed(check):
    verdict = check("rating_consistency.v1", GUSHING, NONE, rating=1)
    assert not verdict.passed
    assert verdict.details["direction"] == "more_negative"
    assert verdict.feedback.startswith("This is a 1-star review")


def test_tone_is_not_vader_alone():
    from reviewgen.critic_rules.rating_consistency import tone
    from reviewgen.text.sentiment import compound

    returned = "Had to return it, the screen was cracked when it arrived."
    assert compound(returned) == 0  # VADER reads no complaint in it
    assert tone(returned) < 0


def _rule(shares):
    from tests.critic_rules.conftest import make_rule

    return make_rule("rating_consistency.v1", {"shares": shares} if shares else None)


def _run(rule, drafts, stars, **context_args):
    from tests.critic_rules.conftest import make_context

    return [rule.check(d, make_context(rating=stars, **context_args)).passed for d in drafts]


def _five_star_drafts(n: int, mixed_every: int) -> list[str]:
    """Distinct drafts, one in ``mixed_every`` reading negative (the rest praise)."""
    last = mixed_every - 1
    return [
        f"{ANGRY} Day {i}." if i % mixed_every == last else f"{HAPPY} Day {i}." for i in range(n)
    ]


def test_mixed_reviews_pass_up_to_their_share_and_only_the_excess_fails():
    rule = _rule({5: {"mixed": 0.1, "opposite": 0.1}})
    drafts = _five_star_drafts(200, mixed_every=4)  # the writer makes 25% mixed
    passed = _run(rule, drafts, 5)
    kept = [d for d, ok in zip(drafts, passed, strict=True) if ok]
    mixed_share = sum(d.startswith(ANGRY) for d in kept) / len(kept)
    assert mixed_share == pytest.approx(0.1, abs=0.01)
    assert all(ok for d, ok in zip(drafts, passed, strict=True) if d.startswith(HAPPY))


def test_a_writer_mixed_less_often_than_real_reviews_is_never_failed():
    rule = _rule({5: {"mixed": 0.3, "opposite": 0.3}})
    assert all(_run(rule, _five_star_drafts(100, mixed_every=10), 5))


def test_clearly_opposite_tone_has_its_own_smaller_share():
    rule = _rule({5: {"mixed": 0.5, "opposite": 0.0}})
    assert _run(rule, [HAPPY], 5) == [True]
    assert _run(rule, [ANGRY], 5) == [False]  # clearly opposite: no share for it
    assert _run(rule, [FLAT], 5) == [True]  # merely not positive: within the mixed share


def test_a_draft_reviewed_again_counts_once():
    rule = _rule({5: {"mixed": 0.3, "opposite": 0.3}})
    assert _run(rule, [HAPPY, ANGRY, ANGRY, ANGRY], 5) == [True, True, True, True]
    assert _run(rule, [f"{ANGRY} Again."], 5) == [False]  # a 2nd of 3 would be 67% mixed


def test_shares_are_learned_from_the_reference_per_star_rating():
    texts = [f"{ANGRY} Number {i}." for i in range(30)] + [f"{HAPPY} No {i}." for i in range(70)]
    rule = _rule(None)
    context_args = {"reference_texts": tuple(texts), "reference_ratings": (5,) * 100}
    drafts = _five_star_drafts(100, mixed_every=2)
    passed = _run(rule, drafts, 5, **context_args)
    kept = [d for d, ok in zip(drafts, passed, strict=True) if ok]
    assert rule.shares(None)["5"]["mixed"] == 0.3  # type: ignore[arg-type]
    assert sum(d.startswith(ANGRY) for d in kept) / len(kept) == pytest.approx(0.3, abs=0.02)
    assert rule.shares(None)["1"] == _shipped()["1"]  # no 1-star reviews: the shipped share


def _shipped():
    from reviewgen.critic_rules.rating_consistency import default_shares

    return default_shares()


def test_shipped_shares_are_the_real_reviews_rates():
    shares = _shipped()
    assert set(shares) == {"1", "2", "4", "5"}
    assert 0.2 < shares["1"]["mixed"] < 0.35 and 0.02 < shares["5"]["mixed"] < 0.1
    assert all(s["opposite"] <= s["mixed"] for s in shares.values())


def test_removed_bounds_name_the_replacement(check):
    with pytest.raises(Exception, match=r"positive_min removed.*shares"):
        check("rating_consistency.v1", FLAT, {"positive_min": 0.0}, rating=5)


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
    assert verdict.details["tone"] > 0.5
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


def test_a_star_rating_the_writer_never_mixes_leaves_its_share_to_the_others():
    rule = _rule({5: {"mixed": 0.5, "opposite": 0.0}, 1: {"mixed": 0.0, "opposite": 0.0}})
    mild = "It arrived on time and works fine."  # positive, not clearly: mixed at one star
    assert _run(rule, [mild], 1) == [False]  # no share at 1 star, none left over yet
    assert _run(rule, [f"{HAPPY} Day {i}." for i in range(4)], 5) == [True] * 4
    assert _run(rule, [mild, f"{mild} Twice."], 1) == [True, True]  # 5 stars left 2 places
    assert _run(rule, [f"{mild} Thrice."], 1) == [False]
    assert _run(rule, [GUSHING], 1) == [False]  # clearly opposite needs its own share
