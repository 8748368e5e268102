"""Stylometric features with gradient boosting: a detector that reads no content words.

Lengths, punctuation, capitals, digits, apostrophes, slips such as a lowercase " i ", emoji and
how often fixed function words occur: how a review is written, not what it is about. A generator
can pass the lexical detectors with the right vocabulary and still be given away by style
(docs/HISTORY.md: shorter words and more first person in generated reviews). The report lists the
features whose means differ most between the sets.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from reviewgen.evaluation.detectors.crossval import Draw, FamilyDraw, TrainedFamily, cross_validate
from reviewgen.evaluation.status import rounded
from reviewgen.text.words import WORD_RE, sentence_count

TOP_FEATURES = 10
FUNCTION_WORDS = (
    "the", "a", "an", "and", "but", "or", "so", "if", "as", "i", "my", "me", "you", "it", "its",
    "this", "that", "they", "we", "is", "was", "are", "be", "have", "had", "do", "to", "of",
    "for", "in", "on", "with", "at", "not", "no", "very", "just", "really", "would", "will",
    "can", "all",
)  # fmt: skip
# Contractions written without their apostrophe, a common slip in real reviews.
_BARE_CONTRACTIONS = frozenset((
    "dont", "cant", "wont", "didnt", "doesnt", "isnt", "wasnt", "arent", "couldnt", "wouldnt",
    "shouldnt", "im", "ive", "id", "youre", "theyre", "thats",
))  # fmt: skip
_PER_CHARACTER = {
    "periods": re.compile(r"\."),
    "commas": re.compile(r","),
    "exclamations": re.compile(r"!"),
    "questions": re.compile(r"\?"),
    "colons_semicolons": re.compile(r"[:;]"),
    "dashes": re.compile(r"[-–—]"),
    "parentheses": re.compile(r"[()]"),
    "quotes": re.compile(r"[\"“”]"),
    "digits": re.compile(r"\d"),
    "repeated_punctuation": re.compile(r"([!?.])\1+"),
    "ellipses": re.compile(r"\.\.\.|…"),
    "line_breaks": re.compile(r"\n"),
    "emoji": re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]"),
}
_APOSTROPHE = re.compile(r"['’]")
_LOWER_I = re.compile(r"(?<![\w'’])i(?!\w)")  # "i" and "i'm", not "I"
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)([A-Za-z])")
FEATURES = (
    "log_words",
    "log_characters",
    "sentences",
    "words_per_sentence",
    "word_length",
    "long_word_share",
    "distinct_word_share",
    "capitals_share",
    "all_caps_words",
    "lowercase_sentence_starts",
    "apostrophes_per_word",
    "bare_contractions_per_word",
    "lowercase_i_per_word",
    "ends_with_punctuation",
    *(f"{name}_per_char" for name in _PER_CHARACTER),
    *(f"word_{word}" for word in FUNCTION_WORDS),
)


def features(text: str) -> list[float]:
    """One row of ``FEATURES`` for one text."""
    tokens = WORD_RE.findall(text)
    n_words = max(1, len(tokens))
    n_chars = max(1, len(text))
    lowered = [t.lower() for t in tokens]
    letters = [c for c in text if c.isalpha()]
    starts = _SENTENCE_START.findall(text.strip())
    sentences = sentence_count(text)
    counts: dict[str, int] = {}
    for word in lowered:
        counts[word] = counts.get(word, 0) + 1
    return [
        math.log1p(len(tokens)),
        math.log1p(len(text)),
        sentences,
        len(tokens) / max(1, sentences),
        sum(map(len, tokens)) / n_words,
        sum(len(t) >= 7 for t in tokens) / n_words,
        len(counts) / n_words,
        sum(c.isupper() for c in letters) / max(1, len(letters)),
        sum(len(t) >= 2 and t.isupper() for t in tokens) / n_words,
        sum(s.islower() for s in starts) / max(1, len(starts)),
        len(_APOSTROPHE.findall(text)) / n_words,
        sum(w in _BARE_CONTRACTIONS for w in lowered) / n_words,
        len(_LOWER_I.findall(text)) / n_words,
        float(text.rstrip()[-1:] in {".", "!", "?"}),
        *(len(pattern.findall(text)) / n_chars for pattern in _PER_CHARACTER.values()),
        *(counts.get(word, 0) / n_words for word in FUNCTION_WORDS),
    ]


def matrix(texts: list[str]) -> np.ndarray:
    return np.array([features(t) for t in texts], dtype=np.float64)


def run(draw: Draw) -> FamilyDraw:
    # One thread: boosting's OpenMP threads spin against anything else on the cores (20x slower
    # on a busy 2-core machine), and the evaluation runs its checks side by side anyway.
    with threadpool_limits(1):
        return cross_validate(
            draw,
            matrix(draw.texts),
            lambda x, y: HistGradientBoostingClassifier(random_state=draw.seed).fit(x, y),
            lambda model, x: model.predict_proba(x)[:, 1],
        )


def explain(draw: Draw, result: FamilyDraw) -> dict[str, Any]:
    """The features whose means differ most, in pooled standard deviations (Cohen's d)."""
    values: np.ndarray = result.features
    syn, real = values[draw.labels == 1], values[draw.labels == 0]
    spread = np.sqrt((syn.var(axis=0, ddof=1) + real.var(axis=0, ddof=1)) / 2)
    gap = syn.mean(axis=0) - real.mean(axis=0)
    effect = np.divide(gap, spread, out=np.zeros_like(gap), where=spread > 0)
    order = np.argsort(-np.abs(effect))[:TOP_FEATURES]
    return {
        "features": len(FEATURES),
        "largest_differences": [
            {
                "feature": FEATURES[i],
                "synthetic_mean": rounded(syn[:, i].mean()),
                "real_mean": rounded(real[:, i].mean()),
                "effect_size": rounded(effect[i], 3),
            }
            for i in order
        ],
    }


FAMILY = TrainedFamily(
    "stylometric",
    "stylometric features (lengths, punctuation, capitals, function words), gradient boosting",
    run,
    explain,
)
