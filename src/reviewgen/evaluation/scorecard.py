"""Headline numbers, pass/warn/fail against documented thresholds, and CI gates.

``summary`` flattens the metrics into stable names; the score card and ``--fail-under`` /
``--fail-over`` gates both read those names, so what a pipeline gates on is what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewgen.core.errors import ConfigError
from reviewgen.evaluation.independence import NOT_INDEPENDENT
from reviewgen.evaluation.realism import FAMILY_NAMES
from reviewgen.evaluation.status import OK

# summary name -> path in metrics.json
SUMMARY_PATHS: dict[str, tuple[str, ...]] = {
    # The headline: the worst detector family's AUC (``auc`` is the same number, kept so
    # existing gates read the worst family too).
    "detector_auc_worst": ("realism", "auc"),
    "auc": ("realism", "auc"),
    "detection_score": ("realism", "detection_score"),
    **{f"auc_{name}": ("realism", "families", name, "auc") for name in FAMILY_NAMES},
    "words_ks": ("shape", "words", "ks"),
    "characters_ks": ("shape", "characters", "ks"),
    "sentences_ks": ("shape", "sentences", "ks"),
    "words_wasserstein": ("shape", "words", "wasserstein"),
    "long_review_share_synthetic": ("shape", "long_reviews", "synthetic"),
    "long_review_share_real": ("shape", "long_reviews", "real"),
    "long_review_gap": ("shape", "long_reviews", "gap"),
    "rating_tv": ("shape", "ratings", "tv"),
    "sentiment_agreement_synthetic": ("sentiment", "agreement", "synthetic"),
    "sentiment_agreement_real": ("sentiment", "agreement", "real"),
    "sentiment_agreement_gap": ("sentiment", "agreement", "gap"),
    "sentiment_max_rating_gap": ("sentiment", "by_rating", "max_gap"),
    "topic_max_gap": ("topics", "max_abs_gap"),
    "distinct_2_synthetic": ("diversity", "distinct_2", "synthetic"),
    "distinct_2_real": ("diversity", "distinct_2", "real"),
    "distinct_2_ratio": ("diversity", "distinct_2_ratio"),
    "compression_ratio_synthetic": ("diversity", "compression_ratio", "synthetic"),
    "compression_ratio_real": ("diversity", "compression_ratio", "real"),
    "near_duplicate_rate_synthetic": ("diversity", "near_duplicate_rate", "synthetic"),
    "near_duplicate_rate_real": ("diversity", "near_duplicate_rate", "real"),
    "assistant_phrase_rate_synthetic": ("phrases", "per_1k_words", "synthetic"),
    "assistant_phrase_rate_real": ("phrases", "per_1k_words", "real"),
    "assistant_phrase_ratio": ("phrases", "ratio"),
    "closer_than_holdout_share": ("uniqueness", "dcr", "closer_than_holdout_share"),
    "near_copy_rate": ("uniqueness", "copies", "rate"),
    "near_copy_excess": ("uniqueness", "copies", "excess_rate"),
    "tstr_f1_ratio": ("utility", "f1_ratio"),
    "f1_train_real": ("utility", "train_real", "f1"),
    "f1_train_synthetic": ("utility", "train_synthetic", "f1"),
    "f1_train_real_plus_synthetic": ("utility", "train_real_plus_synthetic", "f1"),
    "pii_rate": ("privacy", "rate"),
}


def lookup(metrics: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """The value at ``path``, or None where a section had not enough data."""
    node: Any = metrics
    for key in path:
        if not isinstance(node, dict) or node.get("status", OK) != OK or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, int | float) else None


def summarise(metrics: dict[str, Any]) -> dict[str, Any]:
    """Flat numbers by name, plus ``detector_family_worst``: the family behind the headline."""
    summary: dict[str, Any] = {name: lookup(metrics, path) for name, path in SUMMARY_PATHS.items()}
    realism = metrics.get("realism", {})
    summary["detector_family_worst"] = (
        realism.get("family_worst") if realism.get("status") == OK else None
    )
    syn, real = summary["near_duplicate_rate_synthetic"], summary["near_duplicate_rate_real"]
    summary["near_duplicate_excess"] = (
        None if syn is None or real is None else round(max(0.0, syn - real), 4)
    )
    return summary


@dataclass(frozen=True)
class Check:
    name: str
    metric: str
    pass_at: float
    warn_at: float
    meaning: str
    higher_is_better: bool = False

    def status(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        if self.higher_is_better:
            return "pass" if value >= self.pass_at else "warn" if value >= self.warn_at else "fail"
        return "pass" if value <= self.pass_at else "warn" if value <= self.warn_at else "fail"

    def rule(self) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        return f"pass {sign} {self.pass_at:g}, warn {sign} {self.warn_at:g}"


CHECKS = (
    Check(
        "Realism",
        "detector_auc_worst",
        0.75,
        0.85,
        "AUC of the detector family that best tells synthetic from real (0.5 = none can).",
    ),
    Check(
        "Length",
        "words_ks",
        0.10,
        0.20,
        "KS distance between the word-count distributions (0 = same shape).",
    ),
    Check(
        "Long reviews",
        "long_review_gap",
        0.02,
        0.05,
        "Gap in the share of reviews over 115 words (the real set's long tail).",
    ),
    Check(
        "Ratings",
        "rating_tv",
        0.10,
        0.20,
        "Total-variation distance between the star-rating distributions.",
    ),
    Check(
        "Tone vs stars",
        "sentiment_agreement_gap",
        0.05,
        0.15,
        "Distance, either way, from the real reviews' own rate of VADER sentiment agreeing "
        "with the stars (4-5★ > 0, 1-2★ < 0): agreeing more often than real is no better.",
    ),
    Check(
        "Topics",
        "topic_max_gap",
        0.10,
        0.20,
        "Largest gap in the share of reviews mentioning an aspect.",
    ),
    Check(
        "Lexical diversity",
        "distinct_2_ratio",
        0.95,
        0.85,
        "Distinct word bigrams, synthetic over real, at equal sample size.",
        higher_is_better=True,
    ),
    Check(
        "Near-duplicates",
        "near_duplicate_excess",
        0.0,
        0.02,
        "Within-set near-duplicate rate, synthetic minus real (pass: no more than real).",
    ),
    Check(
        "Stock phrases",
        "assistant_phrase_ratio",
        2.0,
        3.0,
        "Assistant-style phrases per word, synthetic over real (1 = as often as real).",
    ),
    Check(
        "Memorisation",
        "closer_than_holdout_share",
        0.02,
        0.05,
        "Share of synthetic reviews closer to the reference than 99% of held-out real "
        "reviews are (about 0.01 expected).",
    ),
    Check(
        "Copies",
        "near_copy_excess",
        0.002,
        0.01,
        "Share of synthetic reviews that near-copy a real one, beyond the held-out real rate.",
    ),
    Check(
        "Utility",
        "tstr_f1_ratio",
        0.90,
        0.75,
        "Macro-F1 of a sentiment model trained on synthetic over one trained on real.",
        higher_is_better=True,
    ),
    Check(
        "Privacy",
        "pii_rate",
        0.0,
        0.01,
        "Share of synthetic reviews with personal data (e-mail, phone, URL, name, ...).",
    ),
)

_ORDER = {"pass": 0, "n/a": 0, "warn": 1, "fail": 2}


def _note(check: Check, summary: dict[str, Any], marks: dict[str, str]) -> str | None:
    notes = []
    if check.metric == "detector_auc_worst" and summary.get("detector_family_worst"):
        notes.append(f"worst family: {summary['detector_family_worst']}")
    if check.metric in marks:
        notes.append(f"{NOT_INDEPENDENT} ({marks[check.metric]})")
    return "; ".join(notes) or None


def score(summary: dict[str, Any], marks: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per check; ``marks`` (metric -> filter) flags metrics the run filtered on."""
    marks = marks or {}
    return [
        {
            "check": check.name,
            "metric": check.metric,
            "value": summary.get(check.metric),
            "status": check.status(summary.get(check.metric)),
            "rule": check.rule(),
            "meaning": check.meaning,
            "independent": check.metric not in marks,
            "note": _note(check, summary, marks),
        }
        for check in CHECKS
    ]


def overall(card: list[dict[str, Any]]) -> str:
    statuses = [row["status"] for row in card]
    if all(s == "n/a" for s in statuses):
        return "n/a"
    return max(statuses, key=_ORDER.__getitem__)


@dataclass(frozen=True)
class Gate:
    """``--fail-under detection_score=0.4``: fail when below; ``--fail-over auc=0.85``: above."""

    metric: str
    limit: float
    under: bool

    def failure(self, summary: dict[str, Any]) -> str | None:
        value = summary.get(self.metric)
        if value is None:
            return f"{self.metric} could not be computed (not enough data)"
        if (value < self.limit) if self.under else (value > self.limit):
            relation = "below" if self.under else "above"
            return f"{self.metric} = {value:g} is {relation} {self.limit:g}"
        return None

    def __str__(self) -> str:
        return f"--fail-{'under' if self.under else 'over'} {self.metric}={self.limit:g}"


def metric_names() -> list[str]:
    return [*SUMMARY_PATHS, "near_duplicate_excess"]


def parse_gate(text: str, *, under: bool) -> Gate:
    name, sep, raw = text.partition("=")
    name = name.strip()
    flag = "--fail-under" if under else "--fail-over"
    if not sep or not name:
        raise ConfigError(f"{flag} {text!r}: expected METRIC=VALUE, e.g. {flag} auc=0.85")
    if name not in metric_names():
        raise ConfigError(
            f"{flag} {text!r}: unknown metric {name!r}; valid: {', '.join(metric_names())}"
        )
    try:
        limit = float(raw)
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: {raw!r} is not a number") from None
    return Gate(name, limit, under)
