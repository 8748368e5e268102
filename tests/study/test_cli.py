"""``reviewgen rate`` from the command line: bad input is one line and writes nothing."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from reviewgen.cli import main
from reviewgen.study.store import Study
from tests.study.conftest import write_real


def _entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _fails(capsys, argv: list[str], folder: Path, message: str) -> None:
    before = _entries(folder)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert _entries(folder) == before


def test_create_without_serving_then_report(files, tmp_path, capsys):
    synthetic, real = files
    out = tmp_path / "study"
    argv = [
        "rate", str(synthetic), "--reference", str(real), "--out", str(out),
        "--per-rater", "6", "--rater", "ann", "--rater", "bob", "--no-serve",
    ]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    study = Study.open(out)
    for rater in study.raters():
        assert f"{rater.name}: http://127.0.0.1:8765/r/{rater.token}" in printed
    ann = study.raters()[0]
    for key, _ in study.pending(ann):
        study.answer(ann, key, "synthetic", 4)
    report_path = tmp_path / "report.json"
    assert main(["rate", str(out), "--report", "--out-json", str(report_path)]) == 0
    printed = capsys.readouterr().out
    assert "people: 6 answers, accuracy 50.0%" in printed
    assert "ann: 6/6 answered" in printed and "bob: 0/6 answered" in printed
    assert json.loads(report_path.read_text())["people"]["answers"] == 6


def test_too_few_reviews(files, tmp_path, capsys):
    synthetic, real = files
    argv = ["rate", str(synthetic), "--reference", str(real), "--out", str(tmp_path / "s")]
    _fails(capsys, [*argv, "--per-rater", "40", "--no-serve"], tmp_path, "the study needs 20")


def test_a_reference_without_a_text_column(files, tmp_path, capsys):
    synthetic, _ = files
    real = write_real(tmp_path / "bodies.csv", ["fine"] * 8, text_column="body")
    argv = ["rate", str(synthetic), "--reference", str(real), "--out", str(tmp_path / "s")]
    _fails(capsys, [*argv, "--per-rater", "4", "--no-serve"], tmp_path, "no column 'text'")


def test_a_port_in_use(files, study, tmp_path, capsys):
    synthetic, real = files
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [
            "rate", str(synthetic), "--reference", str(real), "--out", str(tmp_path / "s"),
            "--per-rater", "4", "--port", str(port),
        ]  # fmt: skip
        _fails(capsys, argv, tmp_path, f"cannot listen on 127.0.0.1:{port}")
        serve_again = ["rate", str(study.directory), "--serve", "--port", str(port)]
        _fails(capsys, serve_again, tmp_path, f"cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--per-rater", "5"], "--per-rater must be an even number"),
        (["--rater", "ann", "--rater", "ann"], "rater names must be distinct"),
        (["--rater", "<b>"], "rater name '<b>' is not allowed"),
    ],
)
def test_bad_options(files, tmp_path, capsys, extra, message):
    synthetic, real = files
    argv = ["rate", str(synthetic), "--reference", str(real), "--out", str(tmp_path / "s")]
    _fails(capsys, [*argv, "--no-serve", *extra], tmp_path, message)


def test_an_existing_output_directory_is_not_overwritten(files, tmp_path, capsys):
    synthetic, real = files
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    argv = ["rate", str(synthetic), "--reference", str(real), "--out", str(taken), "--no-serve"]
    _fails(capsys, [*argv, "--per-rater", "4"], tmp_path, "already exists")


def test_missing_reference_for_a_new_study(files, tmp_path, capsys):
    synthetic, _ = files
    _fails(capsys, ["rate", str(synthetic), "--no-serve"], tmp_path, "--reference REAL")


def test_exports_and_import_from_the_command_line(study, tmp_path, capsys):
    csv_path, ls_path, ar_path = tmp_path / "a.csv", tmp_path / "ls.json", tmp_path / "ar.json"
    argv = ["rate", str(study.directory), "--export-csv", str(csv_path)]
    argv += ["--export-label-studio", str(ls_path), "--export-argilla", str(ar_path)]
    assert main(argv) == 0
    assert len(json.loads(ls_path.read_text())) == len(json.loads(ar_path.read_text())) == 10
    assert main(["rate", str(csv_path), "--import", "--out", str(tmp_path / "copy")]) == 0
    assert len(Study.open(tmp_path / "copy").rows()) == 20
    assert main(["rate", str(study.directory), "--add-rater", "cid"]) == 0
    assert [r.name for r in study.raters()] == ["ann", "bob", "cid"]
    assert "cid: http://" in capsys.readouterr().out


def test_evaluate_adds_the_study_to_its_report(files, study, tmp_path, capsys):
    """The study's results become a section of report.html and `human_study` in metrics.json,
    counted from the database at the time of the evaluation."""
    synthetic, real = files
    ann = study.raters()[0]
    for key, _ in study.pending(ann)[:7]:
        study.answer(ann, key, "synthetic", 3)
    out = tmp_path / "report"
    argv = ["evaluate", str(synthetic), "--reference", str(real), "--out", str(out)]
    assert main([*argv, "--study", str(study.directory), "--no-zero-shot"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["human_study"]["people"]["answers"] == 7
    page = (out / "report.html").read_text()
    assert '<section class="human-study"><h2>Human evaluation</h2>' in page
    assert main([*argv, "--study", str(tmp_path / "nowhere"), "--no-zero-shot"]) == 2
    assert "not a study directory" in capsys.readouterr().err
