"""ai_tells.v1: assistant voice, headings, markdown, advert words, third person."""

from __future__ import annotations

import pytest

PLAIN = (
    "Had it about a month now. The battery easily gets me through a shift at the hospital and "
    "the camera is fine for pictures of the dog. Overall, I would highly recommend it."
)


def test_plain_first_person_review_passes(check):
    verdict = check("ai_tells.v1", PLAIN)
    assert verdict.passed
    assert verdict.details == {"marketing_hits": 0}


@pytest.mark.parametrize(
    ("draft", "category"),
    [
        ("Sure, here's a review of the phone:\nI love the battery.", "assistant"),
        ("Here is a 5-star review for the Pixel:\nGreat phone.", "assistant"),
        ("As an AI, I don't own a phone, but the battery seems great.", "assistant"),
        ("Great battery and decent camera. I hope this helps!", "assistant"),
        ("Good phone for the price. In conclusion, it is worth buying.", "assistant"),
        ("Title: Best phone ever\nThe battery lasts two days.", "heading"),
        ("## My verdict\nThe battery lasts two days.", "heading"),
        ("**A solid upgrade**\nThe battery lasts two days.", "heading"),
        ("The **battery** lasts two days.", "markdown"),
        ("What I like:\n- the battery\n- the camera\nGood buy.", "markdown"),
        ("The reviewer loved the camera and found the battery strong.", "third_person"),
        ("She was impressed by the battery, which lasted two days.", "third_person"),
        ("5/5 stars\nThe battery lasts two days.", "star_header"),
        ("★★★★★\nThe battery lasts two days.", "star_header"),
    ],
)
def test_tells_fail_with_their_category(check, draft, category):
    verdict = check("ai_tells.v1", draft)
    assert not verdict.passed
    assert category in verdict.details["categories"]
    assert verdict.feedback


def test_feedback_is_specific(check):
    verdict = check(
        "ai_tells.v1", "Sure! Here is a review:\nThe customer says the battery is good."
    )
    assert verdict.details["categories"] == ["assistant", "third_person"]
    assert verdict.feedback.startswith("Write only the review itself")
    assert "first person" in verdict.feedback


def test_stacked_advert_words_fail(check):
    draft = "The sleek and stylish design is a game-changer and the software runs seamlessly."
    verdict = check("ai_tells.v1", draft)
    assert not verdict.passed
    assert verdict.details["tells"]["marketing"] == [
        "sleek and stylish",
        "game-changer",
        "seamlessly",
    ]
    assert "'game-changer'" in verdict.feedback


def test_one_advert_word_is_tolerated_and_limit_is_a_param(check):
    draft = "Top-notch camera for the money, the kids look great in every photo."
    verdict = check("ai_tells.v1", draft)
    assert verdict.passed
    assert verdict.score == 0.5
    assert not check("ai_tells.v1", draft, {"max_marketing_hits": 0}).passed


@pytest.mark.parametrize(
    "draft",
    [
        "The customer service was great when my screen cracked.",
        "Pros: camera, battery. Cons: a bit heavy.",
        "5 stars! Love it, the battery lasts forever.",
        "Bought it for my son. He loved it until he dropped it.",
        "I give it 4/5 because the camera is only okay.",
        "Here is my honest opinion after two weeks: the battery is weak.",
        "The screen is stunning and the price was fair.",
        "Works fine - no complaints - would buy again.",
    ],
)
def test_ordinary_review_phrasing_passes(check, draft):
    assert check("ai_tells.v1", draft).passed


def test_extra_phrases_param(check):
    draft = "Per my analysis the battery is strong."
    assert check("ai_tells.v1", draft).passed
    verdict = check("ai_tells.v1", draft, {"extra_phrases": ["per my analysis"]})
    assert verdict.details["tells"] == {"assistant": ["per my analysis"]}


def test_emoji_flood_fails(check):
    assert check("ai_tells.v1", "Love it 😍").passed
    verdict = check("ai_tells.v1", "Love it 😍🔥🔥📸✨")
    assert verdict.details["categories"] == ["emoji"]
    assert verdict.feedback == "Use fewer emoji."


def test_patterns_have_only_lowercase_letters_so_ascii_text_can_be_matched_folded():
    """ai_tells matches ASCII drafts case-sensitively in lowercase; that needs these literals."""
    import re

    from reviewgen.critic_rules.ai_tells import _HARD_TELLS, _MARKETING

    patterns = [p for _, group in _HARD_TELLS.values() for p in group] + [_MARKETING]
    for pattern in patterns:
        literal = re.sub(r"\\.", "", pattern.pattern)  # drop escapes such as \W, \S, \A
        assert literal == literal.lower(), pattern.pattern


@pytest.mark.parametrize(
    "draft",
    [
        "SURE, HERE'S A REVIEW:\nGreat phone.",
        "Title: Great\nIt works.",
        "Great phone.\n## Verdict\nBuy it.",
        "The Reviewer Says it is a GAME-CHANGER and Truly Shines, Stunning!",
        "In Conclusion, A Breeze to use. Top-Notch.",
        "Rating: 4/5",
        "Seamless. Stunning. Elevates everything. Müller agrees.",  # non-ASCII: the plain path
    ],
)
def test_folded_matching_finds_what_case_insensitive_matching_finds(check, draft):
    from reviewgen.critic_rules.ai_tells import _HARD_TELLS, _MARKETING

    expected = [
        m.group().strip()
        for _, group in _HARD_TELLS.values()
        for p in group
        for m in p.finditer(draft)
    ]
    marketing = [m.group() for m in _MARKETING.finditer(draft)]
    verdict = check("ai_tells.v1", draft)
    found = [hit for hits in verdict.details.get("tells", {}).values() for hit in hits]
    assert sorted(found) == sorted(expected + (marketing if len(marketing) > 1 else []))
