"""Classifier two-sample test: can a simple model tell synthetic reviews from real ones?

A cross-validated ROC-AUC of 0.5 means indistinguishable; the n-grams the model leans on most
are what gives the synthetic set away. The vectorisers never see labels, so fitting them once on
the pooled texts leaks nothing into the folds and saves refitting them five times. A text present
in both sets stays in one fold: otherwise its twin, learnt with the other label, would push the
AUC below 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from reviewgen.evaluation.ngrams import CharNgramTfidf
from reviewgen.evaluation.sampling import subsample
from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.text.words import normalise

MIN_PER_SET = 25
# Memory grows with the characters classified, not the rows: at most this many in all
# (about 10,000 + 10,000 typical reviews) keeps the test under ~1 GB for reviews of any length.
MAX_CHARACTERS = 6_000_000
TOP_WORD_NGRAMS = 15
TOP_CHAR_NGRAMS = 10
# Sets smaller than SMALL_SET reviews average up to MAX_DRAWS draws (see draws_for).
SMALL_SET = 1_000
MAX_DRAWS = 5
DRAW_SEED_STEP = 1_000  # a draw uses seeds seed..seed+3: keep draws apart


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


def assign_folds(texts: Sequence[str], labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Stratified folds that keep equal texts (after case and spacing) together.

    Texts are grouped; synthetic-only, real-only and shared groups are each shuffled and dealt
    round-robin, so every fold gets the same mix (scikit-learn's StratifiedGroupKFold does the
    same greedily, but takes seconds on 20,000 mostly single-text groups)."""
    ids: dict[str, int] = {}
    groups = np.array([ids.setdefault(normalise(t), len(ids)) for t in texts])
    n_groups = len(ids)
    has = np.zeros((n_groups, 2), dtype=bool)
    has[groups, labels] = True
    kind = has[:, 0] + 2 * has[:, 1]
    rng = np.random.default_rng(seed)
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    for value in np.unique(kind):
        members = rng.permutation(np.flatnonzero(kind == value))
        fold_of_group[members] = np.arange(len(members)) % folds
    return fold_of_group[groups]


def delong(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """ROC-AUC and its DeLong variance (Sun & Xu's midrank form)."""
    positives, negatives = scores[labels == 1], scores[labels == 0]
    m, n = len(positives), len(negatives)
    ranks_all = rankdata(np.concatenate([positives, negatives]))
    ranks_pos, ranks_neg = rankdata(positives), rankdata(negatives)
    auc = (ranks_all[:m].sum() - m * (m + 1) / 2) / (m * n)
    v_pos = (ranks_all[:m] - ranks_pos) / n
    v_neg = 1.0 - (ranks_all[m:] - ranks_neg) / m
    return float(auc), float(v_pos.var(ddof=1) / m + v_neg.var(ddof=1) / n)


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


def draws_for(n: int) -> int:
    """How many real subsamples and fold splits to average for sets of ``n`` reviews.

    At 200 per set one draw's AUC moves by about 0.02 (standard deviation) with the real
    subsample and the folds alone: as much as most changes one would want to measure
    (docs/NOTES.md). Small sets are cheap to classify, so they average several draws.
    """
    return max(1, min(MAX_DRAWS, SMALL_SET // n))


@dataclass
class _Draw:
    auc: float
    variance: float
    fold_aucs: list[float]
    weights: np.ndarray
    labels: np.ndarray
    word_matrix: sp.csr_matrix
    char_matrix: sp.csr_matrix
    word_names: np.ndarray
    char_names: np.ndarray


def _draw(
    synthetic: Sequence[str], real: Sequence[str], n: int, seed: int, folds: int
) -> _Draw | None:
    """One cross-validated classifier on ``n`` reviews drawn from each set (None: nothing to
    learn from, no n-gram occurs twice)."""
    syn = [synthetic[i] for i in subsample(len(synthetic), n, seed)]
    ref = [real[i] for i in subsample(len(real), n, seed + 1)]
    characters = sum(map(len, syn)) + sum(map(len, ref))
    if characters > MAX_CHARACTERS:
        n = max(MIN_PER_SET, n * MAX_CHARACTERS // characters)
        syn = [syn[i] for i in subsample(len(syn), n, seed + 2)]
        ref = [ref[i] for i in subsample(len(ref), n, seed + 3)]
    texts = syn + ref
    labels = np.repeat([1, 0], n)
    word, char = vectorizers()
    try:
        word_matrix, char_matrix = word.fit_transform(texts), char.fit_transform(texts)
    except ValueError:
        return None
    matrix = sp.hstack([word_matrix, char_matrix], format="csr")
    matrix.sort_indices()  # once here, not again inside every fit
    fold_aucs, variances, weights = [], [], []
    fold_of = assign_folds(texts, labels, folds, seed)
    for fold in range(folds):
        train, test = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
        model = classifier(seed).fit(matrix[train], labels[train])
        auc, variance = delong(labels[test], model.decision_function(matrix[test]))
        fold_aucs.append(auc)
        variances.append(variance)
        weights.append(model.coef_[0])
    return _Draw(
        auc=float(np.mean(fold_aucs)),
        # The mean of k fold AUCs from disjoint test folds: variance is the sum over k squared.
        variance=float(np.sum(variances)) / folds**2,
        fold_aucs=fold_aucs,
        # Giveaways from the fold models' mean weights: as stable as a refit on all, and free.
        weights=np.mean(weights, axis=0),
        labels=labels,
        word_matrix=word_matrix,
        char_matrix=char_matrix,
        word_names=word.get_feature_names_out(),
        char_names=char.get_feature_names_out(),
    )


def two_sample_test(
    synthetic: Sequence[str],
    real: Sequence[str],
    *,
    seed: int,
    folds: int = 5,
    draws: int | None = None,
) -> dict[str, Any]:
    """Cross-validated AUC, averaged over ``draws`` subsamples (default: ``draws_for(n)``)."""
    n = min(len(synthetic), len(real))
    if n < MIN_PER_SET:
        return not_enough_data(
            f"needs at least {MIN_PER_SET} reviews per set "
            f"(synthetic {len(synthetic)}, real {len(real)})"
        )
    runs = []
    for k in range(draws or draws_for(n)):
        run = _draw(synthetic, real, n, seed + DRAW_SEED_STEP * k, folds)
        if run is None:
            return not_enough_data("no word or character n-gram occurs in two reviews")
        runs.append(run)
    first = runs[0]
    auc = float(np.mean([r.auc for r in runs]))
    # Draws share the synthetic reviews, so their mean is not much surer than one draw:
    # keep one draw's interval width.
    half_width = 1.96 * float(np.mean([np.sqrt(r.variance) for r in runs]))
    n_words = first.word_matrix.shape[1]
    return {
        "status": OK,
        "n_per_set": len(first.labels) // 2,
        "folds": folds,
        "draws": len(runs),
        "auc": rounded(auc),
        "auc_ci95": [rounded(max(0.0, auc - half_width)), rounded(min(1.0, auc + half_width))],
        "draw_aucs": [rounded(r.auc) for r in runs],
        "fold_aucs": [rounded(a) for a in first.fold_aucs],
        "detection_score": rounded(1.0 - (2.0 * max(auc, 0.5) - 1.0)),
        "features": {"word_ngrams": n_words, "char_ngrams": first.char_matrix.shape[1]},
        "giveaways": {
            "word": _giveaways(
                first.weights[:n_words],
                first.word_matrix,
                first.word_names,
                first.labels,
                TOP_WORD_NGRAMS,
            ),
            "char": _giveaways(
                first.weights[n_words:],
                first.char_matrix,
                first.char_names,
                first.labels,
                TOP_CHAR_NGRAMS,
            ),
        },
    }
