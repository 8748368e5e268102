"""Vocabulary calibration: over-used words get a negative bias, and only those."""

from __future__ import annotations

import math

import pytest

from reviewgen.chains.vocabulary import VocabularyBias

REFERENCE = ["i like it and it works"] * 10 + ["very good"]  # "very": 1 of 62 tokens


class WordTokenizer:
    """One token per word (and per punctuation mark), ids in order of first sight."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, text: str) -> list[int]:
        return [self.ids.setdefault(w, len(self.ids)) for w in text.replace("!", " !").split()]

    def piece(self, token: int) -> str:
        return next(w for w, i in self.ids.items() if i == token)


def make(**kwargs) -> tuple[VocabularyBias, WordTokenizer]:
    tokenizer = WordTokenizer()
    options = {"temperature": 0.8, "warmup": 4, "every": 2, "min_count": 2} | kwargs
    return VocabularyBias(tokenizer, REFERENCE, **options), tokenizer


def test_no_bias_before_the_warmup():
    vocabulary, _ = make()
    for _ in range(3):
        vocabulary.observe("very very good it works", {})
    assert vocabulary.bias == {}


def test_an_over_used_word_gets_the_bias_that_matches_the_reference_share():
    vocabulary, tokenizer = make()
    for _ in range(4):
        vocabulary.observe("very good it works i like it very much !", {})
    very = tokenizer.ids["very"]
    draft_share = 2 / 10
    reference_share = (1 + 0.5) / 62  # smoothed
    expected = 0.8 * math.log(reference_share / draft_share)
    assert vocabulary.bias[very] == pytest.approx(expected, abs=1e-3)
    assert tokenizer.ids["it"] not in vocabulary.bias  # used about as often as in the reference
    assert tokenizer.ids["!"] not in vocabulary.bias  # punctuation is never biased
    assert all(value < 0 for value in vocabulary.bias.values())  # nothing is pushed up


def test_protected_words_are_never_biased():
    vocabulary, tokenizer = make(protected=["battery"])
    for _ in range(4):
        vocabulary.observe("battery battery battery it works", {})
    assert tokenizer.ids["battery"] not in vocabulary.bias
    assert tokenizer.ids["battery"] in vocabulary.seen


def test_drafts_written_under_a_bias_count_as_if_unbiased():
    """A bias that halves a word's share would otherwise read as the problem fixed, and the
    next estimate would drop the correction that fixed it."""
    vocabulary, tokenizer = make()
    vocabulary.observe("very good", {})
    very, good = tokenizer.ids["very"], tokenizer.ids["good"]
    vocabulary.observe("very good", {very: 0.8 * math.log(0.5)})
    assert vocabulary.seen[very] == pytest.approx(3.0)  # 1 + 1 counted twice
    assert vocabulary.seen[good] == pytest.approx(2.0)


def test_empty_drafts_are_not_counted():
    vocabulary, _ = make()
    vocabulary.observe("", {})
    assert vocabulary.drafts == 0 and not vocabulary.seen
