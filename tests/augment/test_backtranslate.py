"""Back-translation through a scripted model: output, cache, rejections, properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewgen.augment.backtranslate import BackTranslate, clean_translation
from reviewgen.augment.base import protected_occurrences
from reviewgen.augment.llm import AnswerCache
from reviewgen.core.errors import DataError, ProviderError
from tests.augment.fakes import RuleChatModel, translate

TEXT = "The phone is great and the battery is solid."


@pytest.fixture
def cache(tmp_path):
    return AnswerCache(tmp_path / "answers.sqlite")


def test_round_trip(translator, cache):
    op = BackTranslate(BackTranslate.Params(protected=["battery"]), model=translator, cache=cache)
    result = op.apply(TEXT, random.Random(0))
    assert result.text == "the phone is excellent and the battery is solid."
    assert result.changes == {
        "pivot": "French",
        "model": 'RuleChatModel{"name": "rule-fake"}',
        "pivot_text": "le téléphone est génial et le battery est solid.",
    }


def test_prompts_name_the_pivot_and_the_terms_to_keep(cache):
    prompts = []

    def rule(prompt):
        prompts.append(prompt)
        return "x" if len(prompts) == 1 else "Back again."

    params = BackTranslate.Params(pivot="German", protected=["battery", "zoom", "pixel 9a"])
    BackTranslate(params, model=RuleChatModel(rule=rule), cache=cache).apply(
        "Great Battery on the Pixel 9a.", random.Random(0)
    )
    assert "into German" in prompts[0]
    assert "Keep these terms exactly as written: Battery, Pixel 9a." in prompts[0]
    assert "German product review into English" in prompts[1]


def test_cached_per_text_and_model(translator, cache):
    op = BackTranslate(BackTranslate.Params(), model=translator, cache=cache)
    op.apply(TEXT, random.Random(0))
    assert translator.calls == 2
    again = BackTranslate(BackTranslate.Params(), model=translator, cache=cache)
    again.apply(TEXT, random.Random(1))
    assert translator.calls == 2
    op.apply("Another text.", random.Random(0))
    assert translator.calls == 4


def test_cache_survives_reopening(translator, tmp_path):
    path = tmp_path / "answers.sqlite"
    BackTranslate(model=translator, cache=AnswerCache(path)).apply(TEXT, random.Random(0))
    BackTranslate(model=translator, cache=AnswerCache(path)).apply(TEXT, random.Random(0))
    assert translator.calls == 2


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["", ""], "empty translation"),
        (["pivot", TEXT], "unchanged"),
        (["pivot", "The phone is great and the case is solid."], "lost battery"),
        (["pivot", "The battery is fine. " * 5], "length changed 2.4x"),
    ],
)
def test_bad_round_trips_return_the_input(cache, answers, reason):
    replies = iter(answers)
    model = RuleChatModel(rule=lambda prompt: next(replies))
    op = BackTranslate(BackTranslate.Params(protected=["battery"]), model=model, cache=cache)
    result = op.apply(TEXT, random.Random(0))
    assert result.text == TEXT and result.changes["rejected"] == reason
    assert result.changes["back_text"] == answers[1].strip()


def test_unusable_cache_file_is_a_data_error(translator, tmp_path):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_text("this is not sqlite " * 100)
    op = BackTranslate(model=translator, cache=AnswerCache(bad))
    with pytest.raises(DataError, match="cannot open"):
        op.apply(TEXT, random.Random(0))


def test_needs_a_model():
    with pytest.raises(ProviderError, match="needs a model"):
        BackTranslate()


def test_provider_failures_become_provider_errors(cache):
    def boom(prompt):
        raise ConnectionError("503")

    op = BackTranslate(model=RuleChatModel(rule=boom), cache=cache)
    with pytest.raises(ProviderError, match="503"):
        op.apply(TEXT, random.Random(0))


@pytest.mark.parametrize(
    ("answer", "clean"),
    [
        ("Translation: Le téléphone.", "Le téléphone."),
        ('Here is the translation:\n"Great phone."', "Great phone."),
        ("French translation: Bon.\n\nNote: I kept the terms.", "Bon."),
        ("  Plain.  ", "Plain."),
    ],
)
def test_clean_translation(answer, clean):
    assert clean_translation(answer) == clean


@settings(max_examples=40, derandomize=True, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(["great", "phone", "battery", "the", "is", "and", "ok", "Battery"]),
        min_size=1,
        max_size=12,
    ).map(" ".join),
    seed=st.integers(0, 100),
)
def test_back_translation_properties(text, seed):
    op = BackTranslate(
        BackTranslate.Params(protected=["battery"], cache=False),
        model=RuleChatModel(rule=translate),
    )
    result = op.apply(text, random.Random(seed))
    result.text.encode("utf-8")
    assert result.text.strip()
    before = protected_occurrences(text, {"battery"})
    assert protected_occurrences(result.text, {"battery"}) == before
