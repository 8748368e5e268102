import json

import pytest

from reviewgen.core.datasets import ReviewRow
from reviewgen.core.errors import DataError
from reviewgen.evaluation import evaluate
from tests.evaluation.conftest import options
from tests.evaluation.corpus import make_reviews

TOP_LEVEL = [
    "schema",
    "generator",
    "created_at",
    "seconds",
    "overall",
    "scorecard",
    "summary",
    "warnings",
    "options",
    "inputs",
    "independence",
    "shape",
    "sentiment",
    "topics",
    "realism",
    "diversity",
    "phrases",
    "uniqueness",
    "utility",
    "privacy",
]


def test_two_samples_of_one_distribution_pass_the_realism_checks(same_distribution):
    status = {row["check"]: row["status"] for row in same_distribution.scorecard}
    for check in (
        "Realism",
        "Length",
        "Long reviews",
        "Tone vs stars",
        "Topics",
        "Lexical diversity",
        "Stock phrases",
        "Memorisation",
        "Utility",
        "Privacy",
    ):
        assert status[check] == "pass", check
    summary = same_distribution.summary
    realism = same_distribution.metrics["realism"]
    assert summary["auc"] == summary["detector_auc_worst"] == realism["auc"]
    aucs = {name: f["auc"] for name, f in realism["families"].items() if f["status"] == "ok"}
    assert set(aucs) == {"tfidf_lr", "naive_bayes", "stylometric"}
    assert summary["detector_family_worst"] == max(aucs, key=aucs.get)
    assert summary["detector_auc_worst"] == max(aucs.values())
    assert all(summary[f"auc_{name}"] == auc for name, auc in aucs.items())
    zero = realism["families"]["zero_shot"]
    assert zero["status"] == "skipped" and "turned off" in zero["reason"]
    assert summary["auc_zero_shot"] is None
    assert summary["words_ks"] < 0.1 and summary["rating_tv"] < 0.1


def test_document_layout_and_inputs(same_distribution):
    metrics = json.loads(same_distribution.to_json())
    assert list(metrics) == TOP_LEVEL
    assert metrics["schema"] == "reviewgen.evaluation/2"
    inputs = metrics["inputs"]
    assert inputs["synthetic"]["rows"] == 300
    assert inputs["reference"]["rows"] + inputs["holdout"]["rows"] == 500
    assert inputs["holdout"]["split_from_reference"] is True
    assert inputs["synthetic"]["ratings"] and sum(inputs["synthetic"]["ratings"].values()) == 300
    assert metrics["diversity"]["near_duplicate_rate"]["status"] == "ok"


def test_copied_reference_texts_fail_the_copy_checks():
    reference = make_reviews(400, 2)
    synthetic = [ReviewRow(text=r.text, rating=r.rating) for r in reference[::2]]
    result = evaluate(synthetic, reference, make_reviews(150, 3), options())
    status = {row["check"]: row["status"] for row in result.scorecard}
    assert status["Copies"] == "fail" and status["Memorisation"] == "fail"
    assert result.summary["near_copy_rate"] == 1.0


def test_worker_processes_give_the_same_metrics(same_distribution):
    parallel = evaluate(
        make_reviews(300, seed=1), make_reviews(500, seed=2), options=options(workers=2)
    )
    for key in ("summary", "shape", "realism", "uniqueness", "diversity", "utility"):
        assert parallel.metrics[key] == same_distribution.metrics[key], key


def test_small_sets_are_marked_not_enough_data_not_crashed():
    result = evaluate(make_reviews(8, 1), make_reviews(12, 2), options=options())
    for section in ("realism", "utility"):
        assert result.metrics[section]["status"] == "not_enough_data"
        assert result.metrics[section]["reason"]
    assert result.summary["auc"] is None
    assert {row["status"] for row in result.scorecard} >= {"n/a"}


def test_one_shot_iterators_are_accepted():
    result = evaluate(iter(make_reviews(60, 1)), iter(make_reviews(80, 2)), options=options())
    assert result.metrics["inputs"]["synthetic"]["rows"] == 60


def test_an_empty_set_is_a_data_error():
    with pytest.raises(DataError, match="synthetic set has no reviews"):
        evaluate([], make_reviews(20, 2), options=options())
    with pytest.raises(DataError, match="reference set has no reviews"):
        evaluate(make_reviews(20, 2), [], options=options())
