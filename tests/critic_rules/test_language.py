"""language.v1: English, judged by function words and script, without a model."""

from __future__ import annotations

import pytest

ENGLISH = "I bought it for my dad and he uses it every day. The battery is good for the price."


def test_english_passes(check):
    verdict = check("language.v1", ENGLISH)
    assert verdict.passed
    assert verdict.details["stopword_share"] > 0.3


@pytest.mark.parametrize(
    "draft",
    [
        "El teléfono llegó muy rápido y funciona bien, pero la batería no dura mucho.",
        "Le téléphone est très bien pour le prix, mais la batterie ne tient pas.",
        "Das Handy ist sehr gut und der Akku hält auch lange, ich bin zufrieden.",
    ],
)
def test_other_languages_fail(check, draft):
    verdict = check("language.v1", draft)
    assert not verdict.passed
    assert verdict.feedback == "Write the review in English."
    assert verdict.details["foreign_words"] >= 2


def test_non_latin_script_fails(check):
    verdict = check("language.v1", "Телефон отличный, батарея держит два дня.")
    assert not verdict.passed
    assert verdict.details["ascii_share"] < 0.9


def test_keyword_lists_fail(check):
    draft = "camera battery screen price charger fast slow design colour"
    verdict = check("language.v1", draft)
    assert not verdict.passed
    assert verdict.feedback.startswith("Write full sentences")
    assert check("language.v1", draft, {"min_stopword_share": 0.0}).passed


@pytest.mark.parametrize(
    "draft", ["Great phone, fast shipping.", "Works perfectly, love it!", "Meh.", ""]
)
def test_short_terse_reviews_are_lenient(check, draft):
    assert check("language.v1", draft).passed


def test_a_few_accented_names_are_fine(check):
    draft = "I ordered it from a café owner called José and the screen is great, no complaints."
    assert check("language.v1", draft).passed
