"""The evaluation reads the run's run.json: metrics measured with a tool the run also filtered
with are marked, and real reviews the generator saw are counted and warned about."""

import json
from pathlib import Path

from reviewgen.cli import main
from reviewgen.core.datasets import is_held_out
from reviewgen.evaluation.independence import (
    NOT_INDEPENDENT,
    RunReference,
    filter_marks,
    run_reference,
)
from reviewgen.evaluation.options import EvaluationOptions
from tests.evaluation.corpus import make_reviews
from tests.evaluation.test_cli import write_csv, write_run

DEFAULT_RULES = [
    {"name": n}
    for n in ("length.v1", "aspect_coverage.v1", "rating_consistency.v1", "pii.v1", "realism.v1")
]


def manifest(path: str | None, **extra: object) -> dict:
    return {
        "models": {"writer": "llamacpp:gemma3-270m-latin"},
        "config": {
            "critic": {"rules": DEFAULT_RULES},
            "store": {"embedder": {"name": "hashing.v1", "params": {}}, "check_reference": True},
            "reference": {"path": path, "text_col": "text"},
        },
        **extra,
    }


def test_each_filter_marks_the_metrics_measured_with_its_tool():
    marks = filter_marks(manifest("ref.csv"), EvaluationOptions(), "stylometric")
    assert "realism.v1" in marks["auc_tfidf_lr"]
    assert "VADER" in marks["sentiment_agreement_gap"]
    assert "aspect_coverage.v1" in marks["topic_max_gap"]
    assert "length.v1" in marks["words_ks"] and "pii.v1" in marks["pii_rate"]
    assert "embedder" in marks["near_duplicate_excess"] and "embedder" in marks["near_copy_excess"]
    # The headline is another family: it stays independent.
    assert "detector_auc_worst" not in marks and "auc_zero_shot" not in marks


def test_the_headline_is_marked_when_the_filtered_family_is_the_worst():
    marks = filter_marks(manifest("ref.csv"), EvaluationOptions(), "tfidf_lr")
    assert {"auc", "detector_auc_worst", "detection_score"} <= set(marks)


def test_what_did_not_filter_is_not_marked():
    # realism.v1 without a reference passes every draft; another embedder is another tool.
    run = manifest(None)
    run["config"]["store"]["embedder"]["name"] = "sentence_transformers.v1"
    run["config"]["critic"]["rules"] = [{"name": "realism.v1"}]
    assert filter_marks(run, EvaluationOptions(), "tfidf_lr") == {}


def test_a_zero_shot_model_that_wrote_the_run_is_marked():
    run = manifest(None, models={"writer": "llamacpp:smollm2-135m-instruct"})
    marks = filter_marks(run, EvaluationOptions(), "zero_shot")
    assert "also wrote" in marks["auc_zero_shot"] and "detector_auc_worst" in marks


def test_the_reference_is_read_from_the_manifest_or_its_config():
    assert run_reference(manifest("a.csv")) == RunReference("a.csv", 0.0)
    recorded = manifest("a.csv", reference={"path": "b.csv", "holdout_fraction": 0.3})
    assert run_reference(recorded) == RunReference("b.csv", 0.3)
    assert run_reference(manifest(None, reference=None)) == RunReference(None, 0.0)
    assert run_reference({}) == RunReference(None, 0.0)


def evaluate_cli(run_dir: Path, real: Path, out: Path, capsys, *more: str) -> tuple[dict, str]:
    args = ["--reference", str(real), "--out", str(out), "--workers", "1", "--no-zero-shot"]
    code = main(["evaluate", str(run_dir), *args, *more])
    captured = capsys.readouterr()
    assert code == 0 and "Traceback" not in captured.err
    return json.loads((out / "metrics.json").read_text("utf-8")), captured.err


def test_real_reviews_the_generator_saw_are_counted_and_warned_about(tmp_path, capsys):
    seen, unseen = make_reviews(150, 2), make_reviews(120, 3)
    reference = write_csv(tmp_path / "reference.csv", seen)
    run_dir = write_run(tmp_path / "run", make_reviews(40, 1))
    (run_dir / "run.json").write_text(json.dumps(manifest(str(reference))))
    mixed = write_csv(tmp_path / "mixed.csv", seen[:30] + unseen)
    metrics, stderr = evaluate_cli(run_dir, mixed, tmp_path / "report", capsys)
    overlap = metrics["independence"]["reference_overlap"]
    assert overlap["in_common"] == 30 and overlap["evaluation_real_rows"] == 150
    assert "warning: 30 of the 150 real reviews" in stderr
    assert metrics["warnings"] and "reference.holdout_fraction" in metrics["warnings"][0]
    rows = {row["check"]: row for row in metrics["scorecard"]}
    assert rows["Tone vs stars"]["independent"] is False
    assert NOT_INDEPENDENT in rows["Tone vs stars"]["note"]
    assert rows["Utility"]["independent"] is True
    html = (tmp_path / "report" / "report.html").read_text("utf-8")
    card = (tmp_path / "report" / "DATASET_CARD.md").read_text("utf-8")
    for page in (html, card):
        assert "30 of the 150 real reviews" in page and NOT_INDEPENDENT in page


def test_the_runs_held_out_part_is_not_an_overlap(tmp_path, capsys):
    # As generate records it: the run read the rows is_held_out() leaves in, by text hash.
    rows = make_reviews(300, 2)
    reference = write_csv(tmp_path / "reference.csv", rows)
    run_dir = write_run(tmp_path / "run", make_reviews(40, 1))
    recorded = manifest(
        str(reference), reference={"path": "../reference.csv", "holdout_fraction": 0.4}
    )
    (run_dir / "run.json").write_text(json.dumps(recorded))  # a path relative to the run
    held = sum(is_held_out(row, 0.4) for row in rows)
    assert 80 < held < 160
    metrics, stderr = evaluate_cli(run_dir, reference, tmp_path / "all", capsys)
    overlap = metrics["independence"]["reference_overlap"]
    assert overlap["in_common"] == overlap["seen_by_generator"] == 300 - held
    assert "(--run-holdout)" in stderr
    metrics, stderr = evaluate_cli(run_dir, reference, tmp_path / "held", capsys, "--run-holdout")
    overlap = metrics["independence"]["reference_overlap"]
    assert overlap["in_common"] == 0 and overlap["evaluation_real_rows"] == held
    assert metrics["warnings"] == [] and "warning" not in stderr
    assert "held out" in metrics["inputs"]["reference"]["source"]


def test_run_holdout_without_a_held_out_part_is_an_error(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run", make_reviews(30, 1))
    real = write_csv(tmp_path / "real.csv", make_reviews(30, 2))
    args = ["--reference", str(real), "--out", str(tmp_path), "--run-holdout"]
    code = main(["evaluate", str(run_dir), *args])
    err = capsys.readouterr().err
    assert code == 2 and "--run-holdout:" in err and "records no held-out part" in err


def test_without_a_manifest_nothing_is_marked(tmp_path, capsys):
    synthetic = write_csv(tmp_path / "synthetic.csv", make_reviews(40, 1))
    real = write_csv(tmp_path / "real.csv", make_reviews(60, 2))
    metrics, _ = evaluate_cli(synthetic, real, tmp_path / "report", capsys)
    assert metrics["independence"]["status"] == "not_checked"
    assert all(row["independent"] for row in metrics["scorecard"])
