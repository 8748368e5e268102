"""The augment, scrub and combine commands: thin wiring, clear errors (exit 2, no traceback)."""

from __future__ import annotations

import json

import pytest

from reviewgen.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_augment(capsys, reviews_jsonl, tmp_path):
    out = tmp_path / "aug.jsonl"
    code, stdout, _ = run(
        capsys,
        "augment",
        reviews_jsonl,
        "--ops",
        "typos,synonyms",
        "--out",
        out,
        "-p",
        "typos.rate=0.1",
        "-p",
        "synonyms.share=0.5",
        "--seed",
        3,
        "--variants",
        2,
        "--protect",
        "amazing photos",
        "--cache-dir",
        tmp_path,
    )
    assert code == 0 and "wrote 6 augmented reviews from 3" in stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[0]["lineage"]["ops"][0]["params"]["rate"] == 0.1
    assert all(r["synthetic"] for r in records)
    assert "amazing photos" in records[0]["text"]  # --protect
    assert "battery" in records[0]["text"]  # the config's aspect terms are protected


def test_augment_backtranslate_through_the_configured_model(capsys, reviews_jsonl, tmp_path):
    out = tmp_path / "aug.jsonl"
    options = (
        '{responses: ["Le texte.", "The camera takes amazing photos and the battery is superb."]}'
    )
    code, _, err = run(
        capsys,
        "augment",
        reviews_jsonl,
        "--ops",
        "backtranslate",
        "--out",
        out,
        "--limit",
        1,
        "--set",
        "models.default.provider=fake",
        "--set",
        f"models.default.options={options}",
        "-p",
        "backtranslate.pivot=German",
        "--cache-dir",
        tmp_path,
    )
    assert code == 0, err
    record = json.loads(out.read_text())
    assert record["text"] == "The camera takes amazing photos and the battery is superb."
    assert record["lineage"]["ops"][0]["params"]["pivot"] == "German"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--ops", "typoz"], "unknown augmentation 'typoz'"),
        (["--ops", "typos", "-p", "typos.rate=2"], "rate must be within 0..1"),
        (["--ops", "typos", "-p", "rate=2"], "expected OP.KEY=VALUE"),
        (["--ops", "typos", "--text-col", "body"], "no column 'body'"),
    ],
)
def test_augment_errors(capsys, reviews_jsonl, tmp_path, extra, message):
    code, _, err = run(capsys, "augment", reviews_jsonl, "--out", tmp_path / "o.jsonl", *extra)
    assert code == 2 and err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_missing_input(capsys, tmp_path):
    code, _, err = run(capsys, "scrub", tmp_path / "nope.csv", "--out", tmp_path / "o.jsonl")
    assert code == 2 and "no such file" in err


def test_scrub(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('text\n"Email me at a.b@gmail.com, or call (415) 555-2671"\nNo PII\n')
    out = tmp_path / "out.csv"
    code, stdout, _ = run(capsys, "scrub", source, "--out", out)
    assert code == 0
    assert "| email | 1 |" in stdout and "| phone | 1 |" in stdout
    assert "Email me at [EMAIL], or call [PHONE]" in out.read_text()


def test_scrub_bad_kind(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("text\nhello\n")
    code, _, err = run(capsys, "scrub", source, "--out", tmp_path / "o.csv", "--kinds", "ssn")
    assert code == 2 and "unknown PII kind ssn" in err


def test_combine(capsys, reviews_jsonl, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("text\nThe battery is great and the camera takes amazing photos!\nNew one\n")
    out = tmp_path / "all.jsonl"
    code, stdout, _ = run(capsys, "combine", reviews_jsonl, other, "--out", out)
    assert code == 0 and "| other | 1 | 1 |" in stdout
    assert len(out.read_text().splitlines()) == 4


def test_combine_needs_two(capsys, reviews_jsonl, tmp_path):
    code, _, err = run(capsys, "combine", reviews_jsonl, "--out", tmp_path / "o.jsonl")
    assert code == 2 and "at least two" in err
