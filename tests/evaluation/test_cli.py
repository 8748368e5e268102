import csv
import json
from pathlib import Path

import pytest

from reviewgen.cli import main
from tests.evaluation.corpus import make_reviews


def write_csv(path: Path, rows, text_col: str = "text") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([text_col, "rating"])
        writer.writerows([r.text, r.rating] for r in rows)
    return path


def write_run(folder: Path, rows) -> Path:
    """A reviewgen output directory: reviews.jsonl plus its run.json manifest."""
    folder.mkdir()
    with (folder / "reviews.jsonl").open("w", encoding="utf-8") as handle:
        for r in rows:
            record = {
                "id": r.id,
                "text": r.text,
                "rating": r.rating,
                "product": {"name": "Test Phone 1", "brand": "Test"},
                "synthetic": True,
            }
            handle.write(json.dumps(record) + "\n")
    (folder / "run.json").write_text(json.dumps({"seed": 7, "models": {"writer": "fake:fake"}}))
    return folder


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    return {
        "run": write_run(root / "run", make_reviews(120, 1)),
        "real": write_csv(root / "real.csv", make_reviews(200, 2)),
        "root": root,
    }


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["evaluate", *args, "--workers", "1", "--no-zero-shot"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_writes_the_report_and_passes_gates(files, tmp_path, capsys):
    out = tmp_path / "report"
    code, stdout, _ = run(
        [
            str(files["run"]),
            "--reference",
            str(files["real"]),
            "--out",
            str(out),
            "--fail-under",
            "detection_score=0.5",
            "--fail-over",
            "auc=0.8",
        ],
        capsys,
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert metrics["inputs"]["synthetic"]["rows"] == 120
    assert metrics["inputs"]["synthetic"]["products"]["top"] == [["Test Phone 1", 120]]
    assert metrics["summary"]["auc"] < 0.8
    assert metrics["topics"]["status"] == "ok" and "camera" in metrics["topics"]["aspects"]
    assert (out / "report.html").stat().st_size > 10_000
    assert "fake:fake" in (out / "DATASET_CARD.md").read_text("utf-8")
    assert "overall:" in stdout and "Realism" in stdout


def test_a_failed_gate_exits_1_after_writing_the_report(files, tmp_path, capsys):
    out = tmp_path / "report"
    code, _, stderr = run(
        [
            str(files["run"]),
            "--reference",
            str(files["real"]),
            "--out",
            str(out),
            "--fail-over",
            "auc=0.1",
            "--fail-under",
            "tstr_f1_ratio=2",
        ],
        capsys,
    )
    assert code == 1
    assert "gate failed: auc = " in stderr and "is above 0.1" in stderr
    assert "gate failed: tstr_f1_ratio = " in stderr
    assert (out / "metrics.json").exists()


def test_other_column_names(files, tmp_path, capsys):
    real = write_csv(tmp_path / "real.csv", make_reviews(200, 2), text_col="body")
    code, _, _ = run(
        [
            str(files["run"]),
            "--reference",
            str(real),
            "--out",
            str(tmp_path / "o"),
            "--text-col",
            "body",
            "--synthetic-text-col",
            "text",
        ],
        capsys,
    )
    assert code == 0


def bad_file(root: Path, name: str, content: bytes) -> Path:
    path = root / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "has no rows"),
        ("header.csv", b"text,rating\n", "has no rows"),
        ("column.csv", b"review,rating\nfine phone,5\n", "no column 'text'"),
        ("latin1.csv", "text,rating\ncaf\xe9 phone,5\n".encode("latin-1"), "not valid UTF-8"),
        ("stars.csv", b"text,rating\nfine phone,7\n", "outside 1-5"),
        ("blank.csv", b"text,rating\n ,5\n,4\n", "no reviews with text"),
        ("notes.txt", b"hello", "unknown file type"),
    ],
)
def test_bad_synthetic_input_is_a_clear_error(files, tmp_path, capsys, name, content, message):
    path = bad_file(tmp_path, name, content)
    code, _, stderr = run(
        [str(path), "--reference", str(files["real"]), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2
    assert stderr.startswith("error: ") and message in stderr


def test_bad_options_are_clear_errors(files, tmp_path, capsys):
    base = [str(files["run"]), "--reference", str(files["real"]), "--out", str(tmp_path / "o")]
    code, _, stderr = run([*base, "--fail-over", "acu=0.8"], capsys)
    assert code == 2 and "unknown metric 'acu'" in stderr
    code, _, stderr = run([*base, "--dup-threshold", "1.5"], capsys)
    assert code == 2 and "dup_threshold must be in (0, 1]" in stderr
    code, _, stderr = run([*base[:2], str(tmp_path / "missing.csv"), *base[3:]], capsys)
    assert code == 2 and "no such file" in stderr


def test_too_few_rows_give_not_enough_data(files, tmp_path, capsys):
    few = write_csv(tmp_path / "few.csv", make_reviews(7, 5))
    out = tmp_path / "o"
    code, stdout, _ = run([str(few), "--reference", str(files["real"]), "--out", str(out)], capsys)
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert metrics["realism"]["status"] == "not_enough_data"
    assert "needs at least 25 reviews per set (synthetic 7" in metrics["realism"]["reason"]
    assert code == 0
    assert "n/a   Realism" in stdout
    assert metrics["summary"]["auc"] is None
