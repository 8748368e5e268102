"""Exports: the CSV round-trips; Label Studio and Argilla JSON keep people and models apart."""

from __future__ import annotations

import json

import pytest

from reviewgen.core.errors import DataError
from reviewgen.study.export import (
    CSV_COLUMNS,
    argilla_records,
    export_csv,
    import_csv,
    label_studio_tasks,
)
from reviewgen.study.store import Study


def _answer_some(study: Study) -> None:
    ann, bob = study.raters()
    for i, (key, _) in enumerate(study.pending(ann)[:6]):
        study.answer(ann, key, ("real", "synthetic")[i % 2], 1 + i % 5, f"note, {i}" if i else "")
    for key, _ in study.pending(bob)[:3]:
        study.answer(bob, key, "synthetic", 5)
    model = study.add_rater("fake:judge", "model")
    for key, _ in study.pending(model):
        study.answer(model, key, "real", 2, "reads like a person")


def test_the_csv_round_trips(study, tmp_path):
    _answer_some(study)
    first = tmp_path / "first.csv"
    assert export_csv(study, first) == 30  # 10 items x (2 people + 1 model)
    copy = import_csv(first, tmp_path / "copy")
    second = tmp_path / "second.csv"
    export_csv(copy, second)
    assert second.read_text("utf-8") == first.read_text("utf-8")
    assert first.read_text("utf-8").splitlines()[0] == ",".join(CSV_COLUMNS)
    assert [(r.name, r.kind) for r in copy.raters()] == [
        ("ann", "person"),
        ("bob", "person"),
        ("fake:judge", "model"),
    ]
    assert {r.token for r in copy.raters()}.isdisjoint({r.token for r in study.raters()})
    # The copy resumes where the original stopped.
    assert copy.progress(copy.raters()[0]).payload is not None
    assert copy.progress(copy.raters()[0]).done == 6


def test_a_bad_csv_writes_nothing(study, tmp_path):
    _answer_some(study)
    exported = tmp_path / "answers.csv"
    export_csv(study, exported)
    lines = exported.read_text("utf-8").splitlines()
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([lines[0], lines[1].replace(",real,", ",maybe,", 1)]) + "\n")
    with pytest.raises(DataError):
        import_csv(broken, tmp_path / "never")
    not_export = tmp_path / "other.csv"
    not_export.write_text("text,rating\nhello,5\n")
    with pytest.raises(DataError, match="not a study export"):
        import_csv(not_export, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]


def test_label_studio_tasks(study):
    _answer_some(study)
    tasks = label_studio_tasks(study)
    assert len(tasks) == 10
    json.dumps(tasks)  # plain JSON
    task = next(t for t in tasks if len(t["annotations"]) == 2)
    assert set(task["data"]) == {"text", "product", "stars"}
    assert task["meta"]["source"] in ("real", "synthetic")
    assert task["meta"]["annotators"] == ["ann", "bob"]
    result = task["annotations"][0]["result"]
    assert result[0]["type"] == "choices" and result[0]["from_name"] == "label"
    assert result[0]["value"]["choices"][0] in ("Real", "Synthetic")
    assert result[1] == {
        "from_name": "confidence",
        "to_name": "text",
        "type": "rating",
        "value": {"rating": result[1]["value"]["rating"]},
    }
    assert [p["model_version"] for p in task["predictions"]] == ["fake:judge"]
    assert task["predictions"][0]["score"] == pytest.approx(0.4)


def test_argilla_records(study):
    _answer_some(study)
    records = argilla_records(study)
    assert len(records) == 10
    record = next(r for r in records if len(r["responses"].get("label", [])) == 2)
    assert set(record) == {"id", "fields", "metadata", "suggestions", "responses", "vectors"}
    assert set(record["fields"]) == {"text", "product", "stars"}
    assert record["metadata"]["source"] in ("real", "synthetic")
    assert {r["user_id"] for r in record["responses"]["label"]} == {"ann", "bob"}
    assert record["suggestions"]["label"] == {"value": "real", "score": 0.4, "agent": "fake:judge"}
    with pytest.raises(DataError, match="no model rater"):
        argilla_records(study, model="nobody")
