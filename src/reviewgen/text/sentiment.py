"""VADER sentiment (the lexicon ships inside ``vaderSentiment``, so it works offline).

VADER re-lowercases the whole word list for every sentiment word it scores (twice, in its
negation and idiom checks), which makes it quadratic in the text length and the critic's most
expensive rule. ``_FastAnalyzer`` lowercases the list once per text and returns the same scores.
"""

from __future__ import annotations

import string
from functools import lru_cache

from vaderSentiment import vaderSentiment as vader


class _Words(list):
    """VADER's word list with its lowercase form computed once."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self.lower = [str(w).lower() for w in words]


_NEGATE = frozenset(vader.NEGATE)


def _negated(word: str) -> bool:
    """``vader.negated([word])`` without rebuilding its word list on every call."""
    word = word.lower()
    return word in _NEGATE or "n't" in word


def _tokens(text: str) -> list[str]:
    """``SentiText``'s words: edge punctuation stripped unless two characters or less remain."""
    return [
        tok if len(word := tok.strip(string.punctuation)) <= 2 else word for tok in text.split()
    ]


def _lowered(words: list[str]) -> list[str]:
    return words.lower if isinstance(words, _Words) else [str(w).lower() for w in words]


class _FastAnalyzer(vader.SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` (3.3.2) with the per-word lowercasing hoisted out.

    ``polarity_scores`` is VADER's minus the character-by-character emoji pass (texts with
    emoji take VADER's own path) and without calls for words that cannot carry sentiment; the
    methods below are VADER's, reading the precomputed lowercase list. Tests compare scores
    with the stock analyzer.
    """

    def __init__(self) -> None:
        super().__init__()
        self._emoji_chars = frozenset(self.emojis)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self._emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()
        words = _Words(_tokens(text))
        is_cap_diff = vader.allcap_differential(words)
        lower, lexicon, last = words.lower, self.lexicon, len(words) - 1
        sentiments: list[float] = [0] * len(words)  # VADER's 0 for words without sentiment
        for i, low in enumerate(lower):
            if (
                low in lexicon
                and low not in vader.BOOSTER_DICT
                and not (low == "kind" and i < last and lower[i + 1] == "of")
            ):
                sentiments[i] = self._valence(words, i, is_cap_diff)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def sentiment_valence(self, valence, sentitext, item, i, sentiments):
        """VADER's, for its own ``polarity_scores`` (texts with emoji)."""
        words = sentitext.words_and_emoticons
        if not isinstance(words, _Words):
            words = sentitext.words_and_emoticons = _Words(words)
        if item.lower() in self.lexicon:
            valence = self._valence(words, i, sentitext.is_cap_diff)
        sentiments.append(valence)
        return sentiments

    def _valence(self, words: _Words, i: int, is_cap_diff: bool) -> float:
        """VADER's valence of lexicon word ``i``, skipping look-backs that cannot boost."""
        lower, lexicon, item = words.lower, self.lexicon, words[i]
        item_lowercase = lower[i]
        valence = lexicon[item_lowercase]
        if item_lowercase == "no" and i != len(words) - 1 and lower[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lower[i - 1] == "no")
            or (i > 1 and lower[i - 2] == "no")
            or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"])
        ):
            valence = lexicon[item_lowercase] * vader.N_SCALAR
        if item.isupper() and is_cap_diff:
            valence = valence + vader.C_INCR if valence > 0 else valence - vader.C_INCR
        for start_i in range(3):
            k = i - (start_i + 1)
            if i > start_i and lower[k] not in lexicon:
                s = 0.0  # what scalar_inc_dec returns for a word that is not a booster
                if lower[k] in vader.BOOSTER_DICT:
                    s = vader.scalar_inc_dec(words[k], valence, is_cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation_check(valence, words, start_i, i)
                if start_i == 2:
                    valence = self._special_idioms_check(valence, words, i)
        return self._least_check(valence, words, i)

    def _least_check(self, valence, words_and_emoticons, i):
        """VADER's: "least" right before negates, unless it is "at least" or "very least"."""
        lower = _lowered(words_and_emoticons)
        if (
            i > 0
            and lower[i - 1] == "least"
            and "least" not in self.lexicon
            and (i == 1 or lower[i - 2] not in ("at", "very"))
        ):
            valence = valence * vader.N_SCALAR
        return valence

    @staticmethod
    def _but_check(words_and_emoticons, sentiments):
        """VADER's, which rescales by value (``list.index``), not position; zeros are skipped.

        Rescaling a zero leaves a zero (at most its sign flips, which no score reads), and a
        zero never matches a nonzero value, so skipping them changes nothing.
        """
        lower = _lowered(words_and_emoticons)
        if "but" not in lower:
            return sentiments
        bi = lower.index("but")
        for sentiment in sentiments:
            if sentiment == 0:
                continue
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments[si] = sentiment * 0.5
            elif si > bi:
                sentiments[si] = sentiment * 1.5
        return sentiments

    @staticmethod
    def _negation_check(valence, words_and_emoticons, start_i, i):
        lower = _lowered(words_and_emoticons)
        if start_i == 0 and _negated(lower[i - 1]):
            valence = valence * vader.N_SCALAR
        if start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif _negated(lower[i - 2]):
                valence = valence * vader.N_SCALAR
        if start_i == 2:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in (
                "so",
                "this",
            ):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and "doubt" in (lower[i - 2], lower[i - 1]):
                pass
            elif _negated(lower[i - 3]):
                valence = valence * vader.N_SCALAR
        return valence

    @staticmethod
    def _special_idioms_check(valence, words_and_emoticons, i):
        lower = _lowered(words_and_emoticons)
        onezero = f"{lower[i - 1]} {lower[i]}"
        twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[seq]
                break
        if len(lower) - 1 > i:
            zeroone = f"{lower[i]} {lower[i + 1]}"
            if zeroone in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[zeroone]
        if len(lower) - 1 > i + 1:
            zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zeroonetwo in vader.SPECIAL_CASES:
                valence = vader.SPECIAL_CASES[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in vader.BOOSTER_DICT:
                valence = valence + vader.BOOSTER_DICT[n_gram]
        return valence


@lru_cache(maxsize=1)
def _analyzer() -> vader.SentimentIntensityAnalyzer:
    return _FastAnalyzer()


@lru_cache(maxsize=1024)
def compound(text: str) -> float:
    """VADER compound score in [-1, 1], cached per text (a text scored twice costs one pass)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def agrees_with_rating(score: float, rating: int) -> bool | None:
    """Positive for 4-5 stars, negative for 1-2; ``None`` for 3 stars (no expected sign)."""
    if rating >= 4:
        return score > 0
    if rating <= 2:
        return score < 0
    return None
