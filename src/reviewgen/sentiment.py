"""VADER sentiment (the lexicon ships inside ``vaderSentiment``, so it works offline)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER compound score in [-1, 1]."""
    return float(_analyzer().polarity_scores(text)["compound"])


def agrees_with_rating(score: float, rating: int) -> bool | None:
    """Positive for 4-5 stars, negative for 1-2; ``None`` for 3 stars (no expected sign)."""
    if rating >= 4:
        return score > 0
    if rating <= 2:
        return score < 0
    return None
