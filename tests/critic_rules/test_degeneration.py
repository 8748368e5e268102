"""degeneration.v1: loops, leaked headers, truncation, symbol soup, empty text."""

from __future__ import annotations

import pytest

CLEAN = "The battery lasts two days and the camera is fine for the kids' photos."
FILLER = (
    "I switched from an older model after my contract ended. Setting it up took twenty minutes "
    "and moving my photos over was painless. My hands are small, so the size matters to me, "
    "and this one fits in a jeans pocket. Calls sound clear in the car. The fingerprint reader "
    "works most of the time, less so with wet hands after washing up. I use maps on my commute "
    "every weekday and it never lost signal in the tunnel near the station. Texting is quick "
    "with the stock keyboard once I turned off the vibration. Storage has been plenty for "
    "podcasts and a few games my nephew installed. Speakers are loud enough for the kitchen "
    "radio app while cooking dinner. The case I ordered separately fits snugly and the buttons "
    "still click. Notifications arrive on time, which my old phone struggled with. Overall I am "
    "glad I picked it over the pricier options at the shop."
)


def test_clean_review_passes(check):
    verdict = check("degeneration.v1", CLEAN)
    assert verdict.passed
    assert verdict.score == 1.0


def test_looping_phrase_fails(check):
    draft = "The battery is great and the battery is great and the battery is great and so on."
    verdict = check("degeneration.v1", draft)
    assert not verdict.passed
    assert "the battery is great" in verdict.details["repeated_ngrams"]
    assert verdict.feedback.startswith("Don't repeat yourself")


def test_repeated_sentence_fails(check):
    draft = "The screen is very bright. The camera is fine. The screen is very bright."
    verdict = check("degeneration.v1", draft)
    assert verdict.details["repeated_sentences"] == ["the screen is very bright"]
    assert not verdict.passed


def test_allowed_repeats_grow_with_length(check):
    parts = [
        "To be honest the battery is fine,",
        "the camera too, to be honest the battery is fine,",
        "the screen also, to be honest the battery is fine.",
    ]
    short = check("degeneration.v1", " ".join(parts))
    assert "to be honest the" in short.details["repeated_ngrams"]
    assert check("degeneration.v1", " ".join([FILLER, *parts])).passed  # 100+ words: 3 allowed


def test_leaked_prompt_header_fails_with_offset(check):
    draft = "Great phone, works well.\nRating: 4\nReview: Also great."
    verdict = check("degeneration.v1", draft)
    assert not verdict.passed
    assert verdict.details["leaked_header"] == "Rating:"
    assert verdict.details["leaked_at"] == draft.index("Rating:")


def test_header_after_a_joined_sentence_fails(check):
    draft = "Great phone, works well. Customer reviews of smartphones from verified buyers"
    verdict = check("degeneration.v1", draft)
    assert verdict.details["leaked_header"] == "Customer reviews of"


def test_writer_headers_come_from_context(check):
    draft = "Solid phone.\nStars: 5"
    assert check("degeneration.v1", draft).passed
    verdict = check("degeneration.v1", draft, prompt_headers=("Stars:",))
    assert verdict.details["leaked_header"] == "Stars:"


def test_header_words_inside_a_sentence_pass(check):
    assert check("degeneration.v1", "UPDATED REVIEW: still works after a year.").passed


@pytest.mark.parametrize(
    "draft",
    [
        "The battery lasts two days and",
        "The camera is good but the",
        "Works well with my carrier,",
        "The screen (which is huge",
    ],
)
def test_clear_truncation_fails(check, draft):
    verdict = check("degeneration.v1", draft)
    assert not verdict.passed
    assert verdict.details["truncated"] is True
    assert verdict.feedback == "Finish the last sentence."


@pytest.mark.parametrize(
    "draft",
    [
        "Works great for the price",
        "Screen cracked in a week :(",
        "Love it (:",
        "Battery is fine (for now)",
        "Seller was great A+",
    ],
)
def test_unpunctuated_endings_pass(check, draft):
    assert check("degeneration.v1", draft).passed


def test_symbol_soup_fails(check):
    verdict = check("degeneration.v1", "!!!! ### $$$ 1234 *** ??? 5678")
    assert not verdict.passed
    assert verdict.details["letter_share"] < 0.5


def test_empty_draft_fails(check):
    verdict = check("degeneration.v1", "  \n ")
    assert not verdict.passed
    assert verdict.details == {"empty": True}
    assert verdict.feedback == "Write the review text."


# The embedded model's draft that used to pass: it ran on in " ." tokens to the token limit.
TRAILING_DOTS = "Item arrived on time and very good quality 100% recommended" + " ." * 32


@pytest.mark.parametrize(
    ("draft", "symbol", "count"),
    [
        (TRAILING_DOTS, ".", 32),
        ("Good phone, fast delivery - - - - - - - - and a free case.", "-", 8),
        ("Works fine. ... ... ... ... ... ... ... Battery ok.", "...", 7),
        ("Love it" + "!" * 16, "!", 16),
        ("Arrived broken." + "." * 30, ".", 31),
    ],
)
def test_runs_of_one_symbol_fail_with_feedback(check, draft, symbol, count):
    verdict = check("degeneration.v1", draft)
    assert not verdict.passed
    assert verdict.details["symbol_run"] == symbol
    assert verdict.details["symbol_run_length"] == count
    assert draft[verdict.details["symbol_run_at"] :].startswith(symbol)
    assert f'run of "{symbol}"' in verdict.feedback


@pytest.mark.parametrize(
    "draft",
    [
        "Best phone ever!!!!",
        "Great phone!!!!!!!!!!!! Fast shipping too.",  # real reviews shout like this
        "It works...... mostly. The battery is fine.",
        "THANKS, NICE WORKING WITH YOU ! ! ! ! !",
        "Happy with it :) :) :)",
        "Pros - - camera. Cons - - battery.",
        "Five stars from me * * * * *",
    ],
)
def test_ordinary_repeated_punctuation_passes(check, draft):
    verdict = check("degeneration.v1", draft)
    assert verdict.passed, verdict.details


def test_symbol_run_limits_are_parameters(check):
    draft = "Solid phone ! ! !"
    assert check("degeneration.v1", draft).passed
    verdict = check("degeneration.v1", draft, params={"max_spaced_symbols": 2})
    assert verdict.details["symbol_run_length"] == 3
    assert not check("degeneration.v1", "Solid phone!!!!", params={"max_glued_symbols": 3}).passed


def test_symbol_run_offset_is_in_the_draft_as_given(check):
    draft = "  \n" + TRAILING_DOTS
    verdict = check("degeneration.v1", draft)
    assert draft[verdict.details["symbol_run_at"] :] == "." + " ." * 31
