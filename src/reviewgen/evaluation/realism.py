"""Realism: can detectors of several families tell synthetic reviews from real ones?

The trained families (``detectors/``: TF-IDF with logistic regression, naive Bayes, stylometric
boosting) are cross-validated on the same balanced draws and folds; the zero-shot family scores
the first draw with a language model. Each reports a ROC-AUC (0.5 = indistinguishable). The
headline is the worst family, the one that tells the sets apart best: a generator tuned against
one detector (``realism.v1`` filters with the TF-IDF family) is judged by all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reviewgen.evaluation.detectors import naive_bayes, stylometric, tfidf_lr
from reviewgen.evaluation.detectors.crossval import (
    DRAW_SEED_STEP,
    MIN_PER_SET,
    FamilyDraw,
    balanced_draw,
    draws_for,
    summarise_draws,
)
from reviewgen.evaluation.status import OK, not_enough_data, rounded

TRAINED = (tfidf_lr.FAMILY, naive_bayes.FAMILY, stylometric.FAMILY)
ZERO_SHOT = "zero_shot"
FAMILY_NAMES = (*(family.name for family in TRAINED), ZERO_SHOT)


def trained_families(
    synthetic: Sequence[str],
    real: Sequence[str],
    *,
    seed: int,
    folds: int = 5,
    draws: int | None = None,
) -> dict[str, Any]:
    """Every trained family's cross-validated AUC, averaged over ``draws`` balanced draws
    (default: ``draws_for(n)``), and what gave the set away in the first draw."""
    n = min(len(synthetic), len(real))
    if n < MIN_PER_SET:
        return not_enough_data(
            f"needs at least {MIN_PER_SET} reviews per set "
            f"(synthetic {len(synthetic)}, real {len(real)})"
        )
    runs: dict[str, list[FamilyDraw]] = {family.name: [] for family in TRAINED}
    explained: dict[str, dict[str, Any]] = {}
    count = draws or draws_for(n)
    n_per_set = None
    for k in range(count):
        draw = balanced_draw(synthetic, real, n, seed + DRAW_SEED_STEP * k, folds)
        n_per_set = n_per_set or draw.n_per_set
        for family in TRAINED:
            result = family.run(draw)
            if result is None:
                continue
            if family.explain is not None and family.name not in explained:
                explained[family.name] = family.explain(draw, result)
            result.models, result.features = [], None  # only the first draw is explained
            runs[family.name].append(result)
    families = {
        family.name: (
            {"label": family.label, **summarise_draws(runs[family.name])}
            | explained.get(family.name, {})
            if runs[family.name]
            else not_enough_data("nothing to learn from: no feature occurs twice")
        )
        for family in TRAINED
    }
    return {
        "status": OK,
        "n_per_set": n_per_set,
        "folds": folds,
        "draws": count,
        "families": families,
    }


def with_headline(trained: dict[str, Any], zero_shot: dict[str, Any]) -> dict[str, Any]:
    """The realism section: every family, and the worst one's AUC as the headline."""
    if trained.get("status") != OK:
        return trained
    families = {**trained["families"], ZERO_SHOT: zero_shot}
    scored = {name: f for name, f in families.items() if f.get("status") == OK}
    if not scored:
        return not_enough_data("no detector family could be run")
    worst = max(scored, key=lambda name: scored[name]["auc"])
    auc = scored[worst]["auc"]
    return {
        "status": OK,
        "n_per_set": trained["n_per_set"],
        "folds": trained["folds"],
        "draws": trained["draws"],
        "family_worst": worst,
        "auc": auc,
        "auc_ci95": scored[worst]["auc_ci95"],
        "detection_score": rounded(1.0 - (2.0 * max(auc, 0.5) - 1.0)),
        "families": families,
    }
