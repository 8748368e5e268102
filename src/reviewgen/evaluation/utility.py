"""Is the synthetic set useful as training data? Train on synthetic, test on real (TSTR).

A sentiment classifier (4-5 stars positive, 1-2 negative) is trained on real reviews, on as many
synthetic ones, and on both together, and each is scored on the same held-out real reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

from reviewgen.evaluation.sampling import subsample
from reviewgen.evaluation.status import OK, not_enough_data, rounded

MIN_TRAIN_PER_CLASS = 10
MIN_TEST_PER_CLASS = 5

Sample = Sequence[tuple[str, int | None]]


def _labelled(sample: Sample) -> tuple[list[str], np.ndarray]:
    kept = [(text, int(rating >= 4)) for text, rating in sample if rating and rating != 3]
    return [t for t, _ in kept], np.array([y for _, y in kept], dtype=int)


def _model(seed: int):
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        LogisticRegression(
            C=1.0, solver="liblinear", dual=True, class_weight="balanced", random_state=seed
        ),
    )


def _score(
    texts: list[str], labels: np.ndarray, test: tuple[list[str], np.ndarray], seed: int
) -> tuple[float, float]:
    """Accuracy and macro-F1 (the classes are unbalanced: most real reviews are positive)."""
    predicted = _model(seed).fit(texts, labels).predict(test[0])
    return accuracy_score(test[1], predicted), f1_score(test[1], predicted, average="macro")


def _ratio(a: float, b: float) -> float | None:
    return rounded(a / b) if b else None


def _class_counts(labels: np.ndarray) -> tuple[int, int]:
    return int((labels == 0).sum()), int((labels == 1).sum())


def train_synthetic_test_real(
    real: Sample, synthetic: Sample, holdout: Sample, *, seed: int
) -> dict[str, Any]:
    real_x, real_y = _labelled(real)
    syn_x, syn_y = _labelled(synthetic)
    test_x, test_y = _labelled(holdout)
    size = min(len(real_x), len(syn_x))
    keep_real, keep_syn = subsample(len(real_x), size, seed), subsample(len(syn_x), size, seed + 1)
    real_x, real_y = [real_x[i] for i in keep_real], real_y[keep_real]
    syn_x, syn_y = [syn_x[i] for i in keep_syn], syn_y[keep_syn]
    needs = {"real training": real_y, "synthetic training": syn_y}
    for name, labels in needs.items():
        if min(_class_counts(labels)) < MIN_TRAIN_PER_CLASS:
            neg, pos = _class_counts(labels)
            return not_enough_data(
                f"the {name} set needs {MIN_TRAIN_PER_CLASS} positive (4-5★) and negative "
                f"(1-2★) reviews (has {pos} and {neg}); ratings are required"
            )
    if min(_class_counts(test_y)) < MIN_TEST_PER_CLASS:
        neg, pos = _class_counts(test_y)
        return not_enough_data(
            f"the real holdout needs {MIN_TEST_PER_CLASS} positive and negative reviews "
            f"(has {pos} and {neg}); ratings are required"
        )
    test = (test_x, test_y)
    acc_real, f1_real = _score(real_x, real_y, test, seed)
    acc_syn, f1_syn = _score(syn_x, syn_y, test, seed)
    acc_both, f1_both = _score(real_x + syn_x, np.concatenate([real_y, syn_y]), test, seed)
    return {
        "status": OK,
        "task": "sentiment: 4-5 stars positive, 1-2 stars negative; TF-IDF + logistic regression",
        "n_train": size,
        "n_test": len(test_x),
        "test_positive_share": rounded(test_y.mean()),
        "train_real": {"accuracy": rounded(acc_real), "f1": rounded(f1_real)},
        "train_synthetic": {"accuracy": rounded(acc_syn), "f1": rounded(f1_syn)},
        "train_real_plus_synthetic": {"accuracy": rounded(acc_both), "f1": rounded(f1_both)},
        "f1_ratio": _ratio(f1_syn, f1_real),
        "accuracy_ratio": _ratio(acc_syn, acc_real),
        "augmentation_gain_f1": rounded(f1_both - f1_real),
    }
