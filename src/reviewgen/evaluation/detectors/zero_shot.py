"""A zero-shot detector: how typical each token of a review is to a language model.

Fast-DetectGPT's analytic criterion (Bao et al., ICLR 2024), with one model both sampling and
scoring. At each position ``t`` the model gives a distribution ``p_t`` over the next token; the
text's log-likelihood is compared with what the model would expect of its own samples:

    D(x) = (sum_t log p_t(x_t) - sum_t mu_t) / sqrt(sum_t var_t),
    mu_t = sum_v p_t(v) log p_t(v),   var_t = sum_v p_t(v) log p_t(v)^2 - mu_t^2.

Machine text sits where models put their mass, so it usually scores higher. Nothing is trained:
the AUC ranks the criterion of synthetic against real reviews, in whichever direction separates
them (``auc_synthetic_higher`` keeps the direction). The scoring model must not be the one
that wrote the reviews (the report marks it when the run says it was).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reviewgen.core.errors import ProviderError
from reviewgen.evaluation.detectors.crossval import MIN_PER_SET, balanced_draw, delong
from reviewgen.evaluation.status import OK, not_enough_data, rounded

NAME = "zero_shot"
LABEL = "zero-shot: Fast-DetectGPT analytic criterion"
DEFAULT_MODEL = "smollm2-135m-instruct"
MAX_TOKENS = 128  # per review, start token included: longer reviews are scored on their start
SKIPPED = "skipped"


def criterion(logits: np.ndarray, tokens: Sequence[int]) -> float:
    """D(x) for one text: ``logits[i]`` predicts ``tokens[i + 1]``."""
    targets = np.asarray(tokens[1:])
    if len(targets) == 0:
        return 0.0
    shifted = logits[: len(targets)] - logits[: len(targets)].max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    mean = (p * log_p).sum(axis=1, dtype=np.float64)
    variance = (p * log_p * log_p).sum(axis=1, dtype=np.float64) - mean**2
    likelihood = log_p[np.arange(len(targets)), targets].astype(np.float64)
    total_variance = float(variance.sum())
    if total_variance <= 0:
        return 0.0
    return float((likelihood.sum() - mean.sum()) / np.sqrt(total_variance))


def skipped(reason: str, model: str) -> dict[str, Any]:
    return {"status": SKIPPED, "reason": reason, "label": LABEL, "model": model}


def locate(model: str) -> tuple[Path | None, str]:
    """The model file, or None and why it cannot be used."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None, "llama-cpp-python is not installed (pip install 'reviewgen[local]')"
    from reviewgen.models.llamacpp import resolve_model

    try:
        path, _ = resolve_model(model)
    except ProviderError as exc:
        return None, str(exc)
    if not path.is_file():
        return None, f"model file {path} not found"
    return path, ""


def zero_shot_test(
    synthetic: Sequence[str],
    real: Sequence[str],
    *,
    model: str = DEFAULT_MODEL,
    max_per_set: int = 300,
    seed: int = 0,
    threads: int = 1,
) -> dict[str, Any]:
    """Ranking AUC of D(x) on up to ``max_per_set`` reviews per set (the trained families'
    first draw, or a seeded part of it)."""
    n = min(len(synthetic), len(real), max_per_set)
    if n < MIN_PER_SET:
        return not_enough_data(
            f"needs at least {MIN_PER_SET} reviews per set "
            f"(synthetic {len(synthetic)}, real {len(real)})"
        )
    path, reason = locate(model)
    if path is None:
        return skipped(reason, model)
    from reviewgen.models.llama_engine import LlamaScorer

    draw = balanced_draw(synthetic, real, n, seed, folds=2)
    started = time.perf_counter()
    scorer = LlamaScorer(str(path), n_ctx=MAX_TOKENS, threads=threads)
    try:
        scores, tokens = [], 0
        for text in draw.texts:
            ids = scorer.tokens(text)
            scores.append(criterion(scorer.logits(ids), ids))
            tokens += len(ids)
    finally:
        scorer.close()
    seconds = time.perf_counter() - started
    values = np.array(scores)
    raw, variance = delong(draw.labels, values)
    # Nothing learns which way to read D(x): a set that scores lower than real is as
    # separable as one that scores higher, so the AUC is taken in the direction that separates.
    auc = max(raw, 1.0 - raw)
    half_width = 1.96 * float(np.sqrt(variance))
    return {
        "status": OK,
        "label": LABEL,
        "model": model,
        "file": path.name,
        "n_per_set": draw.n_per_set,
        "max_tokens": MAX_TOKENS,
        "auc": rounded(auc),
        "auc_ci95": [rounded(max(0.0, auc - half_width)), rounded(min(1.0, auc + half_width))],
        "auc_synthetic_higher": rounded(raw),
        "criterion_mean": {
            "synthetic": rounded(values[draw.labels == 1].mean(), 3),
            "real": rounded(values[draw.labels == 0].mean(), 3),
        },
        "tokens_per_text": rounded(tokens / len(values), 1),
        "seconds": rounded(seconds, 1),
        "seconds_per_text": rounded(seconds / len(values), 3),
        "threads": threads,
    }
