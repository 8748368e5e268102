import pytest

from reviewgen.core.errors import ConfigError
from reviewgen.evaluation.result import EvaluationResult
from reviewgen.evaluation.scorecard import (
    Check,
    Gate,
    lookup,
    metric_names,
    overall,
    parse_gate,
    score,
    summarise,
)


def test_check_status_at_the_thresholds():
    lower = Check("x", "auc", 0.7, 0.85, "")
    assert [lower.status(v) for v in (0.7, 0.71, 0.85, 0.86, None)] == [
        "pass",
        "warn",
        "warn",
        "fail",
        "n/a",
    ]
    higher = Check("y", "tstr_f1_ratio", 0.9, 0.75, "", higher_is_better=True)
    assert [higher.status(v) for v in (0.95, 0.9, 0.8, 0.74)] == ["pass", "pass", "warn", "fail"]
    assert lower.rule() == "pass ≤ 0.7, warn ≤ 0.85"


def test_sections_without_enough_data_give_none():
    metrics = {
        "realism": {"status": "not_enough_data", "reason": "few", "auc": 0.9},
        "shape": {"status": "ok", "ratings": {"status": "ok", "tv": 0.25}},
    }
    assert lookup(metrics, ("realism", "auc")) is None
    assert lookup(metrics, ("shape", "ratings", "tv")) == 0.25
    summary = summarise(metrics)
    assert summary["rating_tv"] == 0.25 and summary["auc"] is None
    assert summary["near_duplicate_excess"] is None


def test_overall_is_the_worst_status():
    assert overall([{"status": "pass"}, {"status": "n/a"}, {"status": "warn"}]) == "warn"
    assert overall([{"status": "fail"}, {"status": "warn"}]) == "fail"
    assert overall([{"status": "n/a"}]) == "n/a"


def test_gates():
    summary = {"auc": 0.9, "detection_score": 0.2, "pii_rate": None}
    assert parse_gate("auc=0.85", under=False).failure(summary) == "auc = 0.9 is above 0.85"
    assert parse_gate("auc=0.95", under=False).failure(summary) is None
    assert parse_gate(" detection_score = 0.4", under=True).failure(summary) == (
        "detection_score = 0.2 is below 0.4"
    )
    assert "not enough data" in Gate("pii_rate", 0.0, False).failure(summary)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aucc=0.8", "unknown metric 'aucc'; valid: detector_auc_worst, auc, "),
        ("auc", "expected METRIC=VALUE"),
        ("auc=high", "'high' is not a number"),
    ],
)
def test_bad_gates_are_explained(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_gate(text, under=False)


def test_gate_failures_include_score_card_statuses():
    result = EvaluationResult.from_metrics(
        {
            "schema": "s",
            "generator": "g",
            "created_at": "t",
            "seconds": 1,
            "realism": {"status": "ok", "auc": 0.8},
            "shape": {"status": "ok", "words": {"ks": 0.5}},
        }
    )
    assert result.overall == "fail"
    assert result.gate_failures([]) == []
    assert result.gate_failures([], "fail") == ["score card: Length is fail (words_ks = 0.5)"]
    assert len(result.gate_failures([], "warn")) == 2


def test_marked_metrics_are_flagged_not_independent_in_the_score_card():
    summary = {"detector_auc_worst": 0.8, "detector_family_worst": "tfidf_lr", "words_ks": 0.05}
    marks = {"detector_auc_worst": "realism.v1 filtered with it"}
    rows = {row["metric"]: row for row in score(summary, marks)}
    realism = rows["detector_auc_worst"]
    assert realism["independent"] is False and realism["status"] == "warn"
    assert realism["note"] == (
        "worst family: tfidf_lr; also used as a filter in this run: not independent "
        "(realism.v1 filtered with it)"
    )
    assert rows["words_ks"]["independent"] is True and rows["words_ks"]["note"] is None
    assert "detector_family_worst" not in metric_names()  # a name, not a gate
