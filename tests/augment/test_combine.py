"""Combining datasets: source column, cross-set near-duplicates dropped, clear errors."""

from __future__ import annotations

import json

import pytest

from reviewgen.augment.combine import combine_files, parse_sources
from reviewgen.core.errors import DataError


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def sets(tmp_path):
    a = write_jsonl(
        tmp_path / "real.jsonl",
        [
            {
                "id": "1",
                "text": "The battery is great and the camera takes amazing photos.",
                "rating": 5,
            },
            {"id": "2", "text": "Shipping took three weeks and the box was crushed.", "rating": 2},
            {"id": "3", "text": "Shipping took three weeks and the box was crushed!", "rating": 2},
        ],
    )
    b = tmp_path / "synth.csv"
    b.write_text(
        "id,text,rating\n"
        "s1,The battery is great and the camera takes amazing photos!!,5\n"
        "s2,Screen scratches easily but the speakers are loud and clear.,3\n"
    )
    return a, b


def test_combine_keeps_sources_and_drops_cross_set_duplicates(sets, tmp_path):
    a, b = sets
    out, removed = tmp_path / "all.jsonl", tmp_path / "removed.jsonl"
    report = combine_files([str(a), f"gen={b}"], out, removed_path=removed)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["real:1", "real:2", "real:3", "gen:s2"]
    assert [r["source"] for r in rows] == ["real", "real", "real", "gen"]
    assert rows[3]["source_id"] == "s2" and rows[3]["rating"] == 3
    # Within-set near-duplicates (real:2, real:3) are kept; only the cross-set copy goes.
    assert dict(report.kept) == {"real": 3, "gen": 1} and dict(report.removed) == {"gen": 1}
    dropped = json.loads(removed.read_text())
    assert dropped["id"] == "gen:s1" and dropped["duplicate_of"] == "real:1"
    assert dropped["similarity"] >= 0.8


def test_threshold_one_keeps_everything_but_exact_copies(sets, tmp_path):
    a, b = sets
    report = combine_files([str(a), str(b)], tmp_path / "all.csv", threshold=1.0)
    assert sum(report.removed.values()) == 0
    header = (tmp_path / "all.csv").read_text().splitlines()[0]
    assert header == "id,source,source_id,text,rating,product"


def test_parse_sources():
    sources = parse_sources(["a.jsonl", "named=data/b.csv"])
    assert [(s.name, str(s.path)) for s in sources] == [("a", "a.jsonl"), ("named", "data/b.csv")]


@pytest.mark.parametrize(
    ("specs", "message"),
    [(["one.jsonl"], "at least two"), (["x/a.jsonl", "y/a.jsonl"], "share the source name a")],
)
def test_bad_source_lists(specs, message):
    with pytest.raises(DataError, match=message):
        parse_sources(specs)


def test_missing_file_and_overwriting_an_input(sets, tmp_path):
    a, b = sets
    with pytest.raises(DataError, match="no such file"):
        combine_files([str(a), str(tmp_path / "nope.csv")], tmp_path / "out.jsonl")
    with pytest.raises(DataError, match="overwrite an input"):
        combine_files([str(a), str(b)], a)
