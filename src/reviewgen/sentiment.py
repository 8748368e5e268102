"""VADER sentiment (the lexicon ships inside ``vaderSentiment``, so it works offline).

VADER re-lowercases the whole word list for every sentiment word it scores (twice, in its
negation and idiom checks), which makes it quadratic in the text length and the critic's most
expensive rule. ``_FastAnalyzer`` lowercases the list once per text and returns the same scores.
"""

from __future__ import annotations

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
        sentitext = vader.SentiText(text)
        words = sentitext.words_and_emoticons = _Words(sentitext.words_and_emoticons)
        lower, lexicon, last = words.lower, self.lexicon, len(words) - 1
        sentiments: list[float] = []
        for i, item in enumerate(words):
            low = lower[i]
            if (
                low not in lexicon
                or low in vader.BOOSTER_DICT
                or (low == "kind" and i < last and lower[i + 1] == "of")
            ):
                sentiments.append(0)  # what VADER appends for these words
            else:
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def sentiment_valence(self, valence, sentitext, item, i, sentiments):
        """VADER's, reading the lowercase list and skipping look-backs that cannot boost."""
        words = sentitext.words_and_emoticons
        if not isinstance(words, _Words):  # VADER's own polarity_scores (texts with emoji)
            words = sentitext.words_and_emoticons = _Words(words)
        lower, lexicon, is_cap_diff = words.lower, self.lexicon, sentitext.is_cap_diff
        item_lowercase = item.lower()
        if item_lowercase in lexicon:
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
            valence = self._least_check(valence, words, i)
        sentiments.append(valence)
        return sentiments

    @staticmethod
    def _but_check(words_and_emoticons, sentiments):
        if "but" not in _lowered(words_and_emoticons):
            return sentiments  # VADER's own answer without a "but", minus its lowercasing
        return vader.SentimentIntensityAnalyzer._but_check(words_and_emoticons, sentiments)

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
