"""What the trained detector families share: balanced samples, folds, AUC and its variance.

Every family sees the same draws (``n`` reviews from each set, seeded) and the same folds, so
their AUCs differ by what the family can see, not by the luck of the sample. Features are fitted
on the pooled texts of a draw without labels, so they leak nothing into the folds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata

from reviewgen.evaluation.sampling import subsample
from reviewgen.evaluation.status import OK, rounded
from reviewgen.text.words import normalise

MIN_PER_SET = 25
# Memory grows with the characters classified, not the rows: at most this many in all
# (about 10,000 + 10,000 typical reviews) keeps the n-gram families under ~1 GB.
MAX_CHARACTERS = 6_000_000
# Sets smaller than SMALL_SET reviews average up to MAX_DRAWS draws (see draws_for).
SMALL_SET = 1_000
MAX_DRAWS = 5
DRAW_SEED_STEP = 1_000  # a draw uses seeds seed..seed+3: keep draws apart


@dataclass
class Draw:
    """``n`` synthetic then ``n`` real texts (label 1 = synthetic) and each text's fold."""

    texts: list[str]
    labels: np.ndarray
    fold_of: np.ndarray
    folds: int
    seed: int

    @property
    def n_per_set(self) -> int:
        return len(self.labels) // 2


@dataclass
class FamilyDraw:
    """One family's cross-validated result on one draw; ``models`` are the fold models."""

    auc: float
    variance: float
    fold_aucs: list[float]
    models: list[Any] = field(default_factory=list)
    features: Any = None


def draws_for(n: int) -> int:
    """How many real subsamples and fold splits to average for sets of ``n`` reviews.

    At 200 per set one draw's AUC moves by about 0.02 (standard deviation) with the real
    subsample and the folds alone: as much as most changes one would want to measure
    (docs/HISTORY.md). Small sets are cheap to classify, so they average several draws.
    """
    return max(1, min(MAX_DRAWS, SMALL_SET // n))


def assign_folds(texts: Sequence[str], labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Stratified folds that keep equal texts (after case and spacing) together.

    Texts are grouped; synthetic-only, real-only and shared groups are each shuffled and dealt
    round-robin, so every fold gets the same mix (scikit-learn's StratifiedGroupKFold does the
    same greedily, but takes seconds on 20,000 mostly single-text groups). A text present in
    both sets stays in one fold: otherwise its twin, learnt with the other label, would push the
    AUC below 0.5."""
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


def balanced_draw(
    synthetic: Sequence[str], real: Sequence[str], n: int, seed: int, folds: int
) -> Draw:
    """``n`` reviews from each set (fewer if the pair holds more than ``MAX_CHARACTERS``)."""
    syn = [synthetic[i] for i in subsample(len(synthetic), n, seed)]
    ref = [real[i] for i in subsample(len(real), n, seed + 1)]
    characters = sum(map(len, syn)) + sum(map(len, ref))
    if characters > MAX_CHARACTERS:
        n = max(MIN_PER_SET, n * MAX_CHARACTERS // characters)
        syn = [syn[i] for i in subsample(len(syn), n, seed + 2)]
        ref = [ref[i] for i in subsample(len(ref), n, seed + 3)]
    texts = syn + ref
    labels = np.repeat([1, 0], n)
    return Draw(texts, labels, assign_folds(texts, labels, folds, seed), folds, seed)


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


def cross_validate(
    draw: Draw,
    features: Any,
    fit: Callable[[Any, np.ndarray], Any],
    score: Callable[[Any, Any], np.ndarray],
) -> FamilyDraw:
    """Fit on all folds but one, score the held-out fold, for each fold in turn."""
    fold_aucs, variances, models = [], [], []
    for fold in range(draw.folds):
        train = np.flatnonzero(draw.fold_of != fold)
        test = np.flatnonzero(draw.fold_of == fold)
        model = fit(features[train], draw.labels[train])
        auc, variance = delong(draw.labels[test], score(model, features[test]))
        fold_aucs.append(auc)
        variances.append(variance)
        models.append(model)
    return FamilyDraw(
        auc=float(np.mean(fold_aucs)),
        # The mean of k fold AUCs from disjoint test folds: variance is the sum over k squared.
        variance=float(np.sum(variances)) / draw.folds**2,
        fold_aucs=fold_aucs,
        models=models,
        features=features,
    )


def summarise_draws(runs: Sequence[FamilyDraw]) -> dict[str, Any]:
    """AUC (mean over draws), a 95% CI from the folds' DeLong variances (one draw's width: the
    draws share the synthetic reviews), the draws' AUCs and the first draw's fold AUCs."""
    auc = float(np.mean([r.auc for r in runs]))
    half_width = 1.96 * float(np.mean([np.sqrt(r.variance) for r in runs]))
    return {
        "status": OK,
        "auc": rounded(auc),
        "auc_ci95": [rounded(max(0.0, auc - half_width)), rounded(min(1.0, auc + half_width))],
        "draw_aucs": [rounded(r.auc) for r in runs],
        "fold_aucs": [rounded(a) for a in runs[0].fold_aucs],
    }


@dataclass(frozen=True)
class TrainedFamily:
    """A detector family trained in cross-validation.

    ``run`` cross-validates it on one draw (None: nothing to learn from, e.g. no n-gram occurs
    twice); ``explain`` says what gave the synthetic set away, from the first draw."""

    name: str
    label: str
    run: Callable[[Draw], FamilyDraw | None]
    explain: Callable[[Draw, FamilyDraw], dict[str, Any]] | None = None
