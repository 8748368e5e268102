"""Reading input rows with stable ids and writing output datasets (JSONL or CSV)."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reviewgen.core.datasets import Columns, ReviewRow, iter_reviews
from reviewgen.core.errors import DataError

OUTPUT_SUFFIXES = (".jsonl", ".csv")
EMBED_BATCH = 256  # rows embedded per call: one text at a time is dominated by call overhead


def rows_with_ids(
    path: str | Path, columns: Columns | None = None, *, limit: int | None = None
) -> Iterator[tuple[str, ReviewRow]]:
    """Rows paired with their id: the id column when present, else ``<file stem>:<n>`` for the
    n-th review read (rows with an empty text are skipped and not counted)."""
    stem = Path(path).stem
    seen: set[str] = set()
    for number, row in enumerate(iter_reviews(path, columns, limit=limit), start=1):
        ident = row.id if row.id is not None else f"{stem}:{number}"
        if ident in seen:
            raise DataError(
                f"{path}: id {ident!r} occurs more than once; ids must be unique "
                "(choose another column with --id-col, or --id-col '' to number the reviews)"
            )
        seen.add(ident)
        yield ident, row


def check_output(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"{path}: output must end in {' or '.join(OUTPUT_SUFFIXES)}")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give a file name")
    return path


def write_records(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write atomically (temp file, then rename); CSV cells hold nested values as JSON."""
    path = check_output(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"{path}: cannot create its folder ({exc.strerror})") from None
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    count = 0
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            if path.suffix.lower() == ".jsonl":
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
            else:
                count = _write_csv(handle, records)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return count


def _write_csv(handle: Any, records: Iterable[dict[str, Any]]) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for record in records:
        flat = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
            for k, v in record.items()
        }
        if writer is None:
            writer = csv.DictWriter(handle, fieldnames=list(flat), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count


def base_fields(row: ReviewRow) -> dict[str, Any]:
    """The fields every output record carries over from its input row."""
    fields: dict[str, Any] = {"text": row.text, "rating": row.rating, "product": row.product}
    fields.update(row.extra)
    return fields
