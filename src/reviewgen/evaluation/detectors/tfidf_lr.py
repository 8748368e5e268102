"""TF-IDF word and character n-grams with logistic regression: the lexical detector.

The same family as the ``realism.v1`` critic rule, so a run that used that rule is tested here
by the tool it was filtered with (the report marks it). The n-grams with the largest weights
towards "synthetic" are what gives the set away.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from reviewgen.evaluation.detectors.crossval import Draw, FamilyDraw, TrainedFamily, cross_validate
from reviewgen.evaluation.ngrams import CharNgramTfidf
from reviewgen.evaluation.status import rounded

TOP_WORD_NGRAMS = 15
TOP_CHAR_NGRAMS = 10


def vectorizers() -> tuple[TfidfVectorizer, CharNgramTfidf]:
    """Word 1-2-grams and within-word character 2-5-grams, each TF-IDF with sublinear tf."""
    return (
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32),
        CharNgramTfidf(ngram_range=(2, 5), min_df=2, sublinear_tf=True),
    )


def classifier(seed: int) -> LogisticRegression:
    # Dual liblinear is the fast solver when features outnumber rows, as with n-grams; it
    # shuffles the rows, so it gets a seed.
    return LogisticRegression(
        C=1.0, solver="liblinear", dual=True, max_iter=1000, random_state=seed
    )


class _Features:
    """Both matrices side by side, with what ``explain`` needs to name the columns."""

    def __init__(self, texts: list[str]) -> None:
        word, char = vectorizers()
        self.word = word.fit_transform(texts)
        self.char = char.fit_transform(texts)
        self.word_names = word.get_feature_names_out()
        self.char_names = char.get_feature_names_out()
        self.matrix = sp.hstack([self.word, self.char], format="csr")
        self.matrix.sort_indices()  # once here, not again inside every fit

    def __getitem__(self, rows: np.ndarray) -> sp.csr_matrix:
        return self.matrix[rows]


def run(draw: Draw) -> FamilyDraw | None:
    try:
        features = _Features(draw.texts)
    except ValueError:  # no n-gram occurs twice
        return None
    return cross_validate(
        draw,
        features,
        lambda x, y: classifier(draw.seed).fit(x, y),
        lambda model, x: model.decision_function(x),
    )


def _giveaways(
    weights: np.ndarray, matrix: sp.csr_matrix, names: np.ndarray, labels: np.ndarray, top: int
) -> list[dict[str, Any]]:
    """The n-grams pushing hardest towards "synthetic", with how often each set uses them."""
    order = np.argsort(weights)[::-1][:top]
    present = (matrix[:, order] > 0).astype(np.float32)
    syn_share = np.asarray(present[labels == 1].mean(axis=0)).ravel()
    real_share = np.asarray(present[labels == 0].mean(axis=0)).ravel()
    return [
        {
            "ngram": str(names[i]),
            "weight": rounded(weights[i], 3),
            "synthetic_share": rounded(syn_share[k]),
            "real_share": rounded(real_share[k]),
        }
        for k, i in enumerate(order)
        if weights[i] > 0
    ]


def explain(draw: Draw, result: FamilyDraw) -> dict[str, Any]:
    """Giveaways from the fold models' mean weights: as stable as a refit on all, and free."""
    features: _Features = result.features
    weights = np.mean([model.coef_[0] for model in result.models], axis=0)
    n_words = features.word.shape[1]
    return {
        "features": {"word_ngrams": n_words, "char_ngrams": features.char.shape[1]},
        "giveaways": {
            "word": _giveaways(
                weights[:n_words],
                features.word,
                features.word_names,
                draw.labels,
                TOP_WORD_NGRAMS,
            ),
            "char": _giveaways(
                weights[n_words:],
                features.char,
                features.char_names,
                draw.labels,
                TOP_CHAR_NGRAMS,
            ),
        },
    }


FAMILY = TrainedFamily(
    "tfidf_lr", "TF-IDF word 1-2 + char 2-5-grams, logistic regression", run, explain
)
