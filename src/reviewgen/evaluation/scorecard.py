"""Headline numbers, pass/warn/fail against documented thresholds, and CI gates.

``summary`` flattens the metrics into stable names; the score card and ``--fail-under`` /
``--fail-over`` gates both read those names, so what a pipeline gates on is what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewgen.core.errors import ConfigError
from reviewgen.evaluation.status import OK

# summary name -> path in metrics.json
SUMMARY_PATHS: dict[str, tuple[str, ...]] = {
    "auc": ("realism", "auc"),
    "detection_score": ("realism", "detection_score"),
    "words_ks": ("shape", "words", "ks"),
    "characters_ks": ("shape", "characters", "ks"),
    "sentences_ks": ("shape", "sentences", "ks"),
    "words_wasserstein": ("shape", "words", "wasserstein"),
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


def summarise(metrics: dict[str, Any]) -> dict[str, float | None]:
    summary = {name: lookup(metrics, path) for name, path in SUMMARY_PATHS.items()}
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
        "auc",
        0.70,
        0.85,
        "Cross-validated AUC of a classifier telling synthetic from real (0.5 = cannot).",
    ),
    Check(
        "Length",
        "words_ks",
        0.10,
        0.20,
        "KS distance between the word-count distributions (0 = same shape).",
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
        "Gap in how often VADER sentiment agrees with the stars (4-5★ > 0, 1-2★ < 0).",
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
        0.90,
        0.75,
        "Distinct word bigrams, synthetic over real, at equal sample size.",
        higher_is_better=True,
    ),
    Check(
        "Near-duplicates",
        "near_duplicate_excess",
        0.01,
        0.05,
        "Within-set near-duplicate rate, synthetic minus real.",
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


def score(summary: dict[str, float | None]) -> list[dict[str, Any]]:
    return [
        {
            "check": check.name,
            "metric": check.metric,
            "value": summary.get(check.metric),
            "status": check.status(summary.get(check.metric)),
            "rule": check.rule(),
            "meaning": check.meaning,
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

    def failure(self, summary: dict[str, float | None]) -> str | None:
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
