"""Synonym replacement: exact outputs, the sentiment guard, lexicon files, the model fallback."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewgen.augment.base import protected_occurrences
from reviewgen.augment.llm import AnswerCache
from reviewgen.augment.synonyms import Lexicon, Synonyms, same_form, same_sentiment
from reviewgen.core.errors import ConfigError, ProviderError
from reviewgen.text.lexicon_en import SYNONYM_GROUPS
from tests.augment.fakes import RuleChatModel

TEXT = (
    "I bought this phone as a gift for my wife. The screen is great, the battery is terrible "
    "and the software feels slow. Honestly it was a bad purchase and I would not recommend it. "
    "An amazing camera though."
)


def test_exact_output_for_a_seed():
    op = Synonyms(Synonyms.Params(share=0.5, protected=["battery", "camera", "screen"]))
    result = op.apply(TEXT, random.Random(4))
    assert result.text == (
        "I got this device as a gift for my wife. The screen is superb, the battery is terrible "
        "and the software feels slow. Honestly it was a poor purchase and I would not recommend "
        "it. An outstanding camera though."
    )
    assert result.changes == {
        "replaced": 5,
        "swaps": [
            ["bought", "got"],
            ["phone", "device"],
            ["great", "superb"],
            ["bad", "poor"],
            ["amazing", "outstanding"],
        ],
    }


def test_articles_follow_the_new_word():
    result = Synonyms(Synonyms.Params(share=1.0)).apply(
        "A great phone, an awful case.", random.Random(1)
    )
    assert result.text == "A superb handset, a horrible case."


def test_share_zero_changes_nothing():
    assert Synonyms(Synonyms.Params(share=0.0)).apply(TEXT, random.Random(0)).text == TEXT


def test_protected_words_are_never_replaced():
    op = Synonyms(Synonyms.Params(share=1.0, protected=["great", "phone"]))
    for seed in range(20):
        text = op.apply("A great phone and a great price.", random.Random(seed)).text
        assert text.count("great") == 2 and "phone" in text


@pytest.mark.parametrize(
    ("source", "candidate", "ok"),
    [
        ("good", "nice", True),  # 1.9 vs 1.8
        ("good", "great", False),  # 1.9 vs 3.1: too strong a shift
        ("slow", "sluggish", False),  # neutral vs negative
        ("bad", "great", False),  # polarity flips
        ("fine", "not", False),  # negations never come or go
    ],
)
def test_sentiment_guard(source, candidate, ok):
    assert same_sentiment(source, candidate, 1.0) is ok


def test_every_builtin_swap_keeps_vader_polarity():
    lexicon = Lexicon(list(SYNONYM_GROUPS))
    op = Synonyms()
    for _, words in SYNONYM_GROUPS:
        for word in words:
            for option in op._lexicon_options(word):
                assert option in lexicon.alternatives(word)
                assert same_sentiment(word, option, 1.0)


def test_words_in_two_groups_are_not_replaced():
    lexicon = Lexicon([("verb", ("buy", "purchase")), ("noun", ("buy", "bargain"))])
    assert "buy" not in lexicon and lexicon.alternatives("purchase") == ("buy",)


def test_lexicon_file(tmp_path):
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps({"groups": [{"pos": "noun", "words": ["handset", "mobile"]}]}))
    op = Synonyms(Synonyms.Params(share=1.0, lexicon=str(path)))
    assert op.apply("My handset works.", random.Random(0)).text == "My mobile works."


@pytest.mark.parametrize("content", ["groups: [{pos: noun}]", "{not json", "- just a list"])
def test_bad_lexicon_file_is_a_config_error(tmp_path, content):
    path = tmp_path / "lexicon.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match="synonym lexicon"):
        Synonyms(Synonyms.Params(lexicon=str(path)))


def test_missing_lexicon_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        Synonyms(Synonyms.Params(lexicon=str(tmp_path / "nope.yaml")))


def _rule(prompt: str) -> str:
    word = re.search(r'the word "(\w+)"', prompt).group(1)
    return {
        "intuitive": "logical, intuitively, clear, sensible, awful",
        "menus": "screens, options, menu",
    }.get(word, "")


def test_model_fallback_filters_form_and_sentiment_and_is_cached(tmp_path):
    model = RuleChatModel(rule=_rule)
    cache = AnswerCache(tmp_path / "answers.sqlite")
    op = Synonyms(Synonyms.Params(share=1.0, llm="missing"), model=model, cache=cache)
    result = op.apply("The menus are intuitive.", random.Random(0))
    # "intuitively" (-ly), "clear" (VADER positive), "awful" (negative) and "menu" (singular)
    # are filtered out.
    assert result.text == "The screens are sensible."
    assert model.calls == 2
    op.apply("The menus are intuitive.", random.Random(0))
    assert model.calls == 2  # answered from the cache


def test_model_fallback_without_a_model_says_so():
    with pytest.raises(ProviderError, match="needs a model"):
        Synonyms(Synonyms.Params(llm="missing"))


def test_same_form():
    assert same_form("charging", "powering") and not same_form("charging", "power")
    assert same_form("phones", "handsets") and not same_form("phones", "handset")


@settings(max_examples=50, derandomize=True, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "great",
                "phone",
                "battery",
                "bad",
                "bought",
                "camera",
                "a",
                "an",
                "amazing",
                "the",
                "Price",
                "slow",
                "I",
                "really",
                "problem",
                "happy",
                "and",
                ".",
            ]
        ),
        min_size=1,
        max_size=25,
    ),
    share=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_synonym_properties(words, share, seed):
    text = " ".join(words)
    protected = {"battery", "camera", "price"}
    op = Synonyms(Synonyms.Params(share=share, protected=sorted(protected)))
    result = op.apply(text, random.Random(seed))
    result.text.encode("utf-8")
    assert result.text.strip()
    assert protected_occurrences(result.text, protected) == protected_occurrences(text, protected)
    assert len(result.changes["swaps"]) == result.changes["replaced"]
