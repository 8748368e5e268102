"""Move a study in and out: CSV (round-trips), Label Studio tasks and Argilla records (JSON).

Exports carry the truth (source, dataset id) for analysis: they are for the study's owner,
never for its raters. Tokens and item keys are not exported; an imported study gets new ones.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reviewgen.core.errors import DataError
from reviewgen.study.sample import SOURCES, Sample, StudyItem
from reviewgen.study.store import (
    KINDS,
    InvalidAnswer,
    Study,
    check_answer,
    check_rater_names,
    insert_answer,
    insert_assignment,
    insert_rater,
    now,
    write_study,
)

CSV_COLUMNS = [
    "rater",
    "rater_kind",
    "position",
    "item",
    "source",
    "dataset_id",
    "product",
    "stars",
    "text",
    "label",
    "confidence",
    "comment",
    "answered_at",
]
LABEL_NAMES = {"real": "Real", "synthetic": "Synthetic"}


def _blank(value: Any) -> Any:
    return "" if value is None else value


def export_csv(study: Study, path: str | Path) -> int:
    """One row per assignment (answered or not); returns the number of rows."""
    rows = study.rows()
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: _blank(row[column]) for column in CSV_COLUMNS})
    return len(rows)


def _int(value: str, where: str, column: str) -> int | None:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise DataError(f"{where}: {column} {value!r} is not an integer") from None


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError(f"{path}: not a study export, missing columns {missing}")
            return list(reader)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from None


def _parse_rows(path: Path) -> tuple[dict[int, StudyItem], list[dict[str, Any]]]:
    """Items by their exported number and the checked rows; ``DataError`` on any problem."""
    items: dict[int, StudyItem] = {}
    parsed = []
    seen: set[tuple[str, int]] = set()
    kinds: dict[str, str] = {}
    for number, row in enumerate(_read_csv(path), start=2):
        where = f"{path}:{number}"
        item_number = _int(row["item"], where, "item")
        position = _int(row["position"], where, "position")
        if item_number is None or position is None:
            raise DataError(f"{where}: item and position are required")
        if row["source"] not in SOURCES or row["rater_kind"] not in KINDS:
            raise DataError(f"{where}: source must be one of {SOURCES}, rater_kind of {KINDS}")
        if kinds.setdefault(row["rater"], row["rater_kind"]) != row["rater_kind"]:
            raise DataError(f"{where}: rater {row['rater']!r} has two kinds")
        if (row["rater"], position) in seen:
            raise DataError(f"{where}: rater {row['rater']!r} has position {position} twice")
        seen.add((row["rater"], position))
        item = StudyItem(
            row["source"],
            row["dataset_id"],
            row["product"] or None,
            _int(row["stars"], where, "stars"),
            row["text"],
        )
        if items.setdefault(item_number, item) != item:
            raise DataError(f"{where}: item {item_number} differs from its earlier rows")
        answer = None
        if row["label"]:
            try:
                answer = check_answer(
                    row["label"], _int(row["confidence"], where, "confidence"), row["comment"]
                )
            except InvalidAnswer as exc:
                raise DataError(f"{where}: {exc}") from None
        parsed.append(
            {**row, "item": item_number, "position": position, "answer": answer, "where": where}
        )
    if not parsed:
        raise DataError(f"{path}: no rows")
    check_rater_names(list(kinds))
    return items, parsed


def import_csv(path: str | Path, directory: str | Path, *, seed: int = 0) -> Study:
    """A new study from an ``export_csv`` file, answers included; checked before writing."""
    path = Path(path)
    items, rows = _parse_rows(path)
    order = sorted(items)
    index = {number: i + 1 for i, number in enumerate(order)}  # new item ids, 1-based
    study_items = [items[number] for number in order]
    sample = Sample(
        study_items,
        show_product=all(i.product for i in study_items),
        show_stars=all(i.stars is not None for i in study_items),
    )

    def populate(staged: Study) -> None:
        meta = staged.meta()
        with staged.connect() as db:
            raters: dict[str, int] = {}
            for row in rows:
                if row["rater"] not in raters:
                    raters[row["rater"]] = insert_rater(db, row["rater"], row["rater_kind"]).id
                key = insert_assignment(
                    db, raters[row["rater"]], index[row["item"]], row["position"], meta
                )
                if row["answer"] is not None:
                    insert_answer(db, key, *row["answer"], row["answered_at"] or now())

    meta = {"seed": seed, "per_rater": len(study_items), "inputs": {"imported": str(path)}}
    return write_study(directory, sample, meta, populate)


def _items(rows: Iterable[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Rows grouped by item, in item order."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["item"], r["rater"])):
        grouped.setdefault(row["item"], []).append(row)
    return grouped


def _ls_result(row: dict[str, Any]) -> list[dict[str, Any]]:
    result = [
        {
            "from_name": "label",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [LABEL_NAMES[row["label"]]]},
        },
        {
            "from_name": "confidence",
            "to_name": "text",
            "type": "rating",
            "value": {"rating": row["confidence"]},
        },
    ]
    if row["comment"]:
        result.append(
            {
                "from_name": "comment",
                "to_name": "text",
                "type": "textarea",
                "value": {"text": [row["comment"]]},
            }
        )
    return result


def label_studio_tasks(study: Study) -> list[dict[str, Any]]:
    """Label Studio tasks: people's answers as annotations, model raters' as predictions."""
    tasks = []
    for item, rows in _items(study.rows()).items():
        first = rows[0]
        answered = [r for r in rows if r["label"] is not None]
        people = [r for r in answered if r["rater_kind"] == "person"]
        tasks.append(
            {
                "id": item,
                "data": {
                    "text": first["text"],
                    "product": first["product"],
                    "stars": first["stars"],
                },
                "meta": {
                    "source": first["source"],
                    "dataset_id": first["dataset_id"],
                    "annotators": [r["rater"] for r in people],
                },
                "annotations": [
                    {"result": _ls_result(r), "created_at": r["answered_at"]} for r in people
                ],
                "predictions": [
                    {
                        "model_version": r["rater"],
                        "score": r["confidence"] / 5,
                        "result": _ls_result(r),
                    }
                    for r in answered
                    if r["rater_kind"] == "model"
                ],
            }
        )
    return tasks


def argilla_records(study: Study, model: str | None = None) -> list[dict[str, Any]]:
    """Argilla records (``Record.to_dict`` shape): people as responses, one model rater
    (``model``, default the first) as suggestions, since a question holds one suggestion."""
    models = [r.name for r in study.raters("model")]
    chosen = model if model is not None else (models[0] if models else None)
    if chosen is not None and chosen not in models:
        raise DataError(f"no model rater {chosen!r}; the study has {models or 'none'}")
    records = []
    for item, rows in _items(study.rows()).items():
        first = rows[0]
        people = [r for r in rows if r["label"] is not None and r["rater_kind"] == "person"]
        suggestion = next(
            (r for r in rows if r["rater"] == chosen and r["label"] is not None), None
        )
        responses: dict[str, list[dict[str, Any]]] = {"label": [], "confidence": []}
        for r in people:
            responses["label"].append({"value": r["label"], "user_id": r["rater"]})
            responses["confidence"].append({"value": r["confidence"], "user_id": r["rater"]})
            if r["comment"]:
                responses.setdefault("comment", []).append(
                    {"value": r["comment"], "user_id": r["rater"]}
                )
        suggestions = {}
        if suggestion is not None:
            score = suggestion["confidence"] / 5
            suggestions = {
                "label": {"value": suggestion["label"], "score": score, "agent": chosen},
                "comment": {"value": suggestion["comment"], "score": score, "agent": chosen},
            }
        records.append(
            {
                "id": str(item),
                "fields": {
                    "text": first["text"],
                    "product": first["product"] or "",
                    "stars": "" if first["stars"] is None else str(first["stars"]),
                },
                "metadata": {
                    "source": first["source"],
                    "dataset_id": first["dataset_id"],
                    "words": first["words"],
                },
                "suggestions": suggestions,
                "responses": {k: v for k, v in responses.items() if v},
                "vectors": {},
            }
        )
    return records


def write_json(data: Any, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
