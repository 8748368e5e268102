"""Read review datasets (reviewgen JSONL, any CSV/JSONL/Parquet with a text column) as a stream.

Files are read row by row so a large file never has to fit in memory; every problem a user can
fix (missing column, bad encoding, rating out of range) is a ``DataError`` naming file and row.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewgen.core.errors import DataError
from reviewgen.core.seeds import SEED_BITS, stable_int

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class ReviewRow:
    text: str
    rating: int | None = None
    product: str | None = None
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Columns:
    text: str = "text"
    rating: str | None = "rating"
    product: str | None = "product"
    id: str | None = "id"


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    if suffix == ".parquet":
        return "parquet"
    raise DataError(f"{path}: unknown file type {suffix!r}; use .csv, .tsv, .jsonl or .parquet")


def _parse_rating(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: rating {value!r} is not a number") from None
    if number != int(number) or not 1 <= number <= 5:
        raise DataError(f"{where}: rating {value!r} is outside 1-5")
    return int(number)


def _product_name(value: Any) -> str | None:
    if isinstance(value, dict):  # reviewgen records nest the product
        return value.get("name")
    return None if value in (None, "") else str(value)


def _rows_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid UTF-8 ({exc.reason})") from None
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise DataError(f"{path}:{number}: expected a JSON object per line")
            yield number, obj


def _rows_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            yield from enumerate(reader, start=2)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from None


def _rows_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"{path}: reading Parquet needs pyarrow: pip install pyarrow") from None
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def iter_reviews(
    path: str | Path, columns: Columns | None = None, *, limit: int | None = None
) -> Iterator[ReviewRow]:
    """Yield reviews from ``path``; rows with an empty text are skipped."""
    path = Path(path)
    columns = columns or Columns()
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        candidate = path / "reviews.jsonl"
        if not candidate.exists():
            raise DataError(f"{path}: a directory without reviews.jsonl")
        path = candidate
    fmt = _format_of(path)
    rows = {"jsonl": _rows_jsonl, "csv": _rows_csv, "parquet": _rows_parquet}[fmt](path)
    seen_text_column = False
    count = 0
    for number, row in rows:
        where = f"{path}:{number}"
        if columns.text not in row:
            raise DataError(
                f"{where}: no column {columns.text!r}; columns are {', '.join(map(str, row))}"
                " (choose one with --text-col)"
            )
        seen_text_column = True
        text = row[columns.text]
        if not isinstance(text, str) or not text.strip():
            continue
        rating = _parse_rating(row.get(columns.rating), where) if columns.rating else None
        product = _product_name(row.get(columns.product)) if columns.product else None
        ident = row.get(columns.id) if columns.id else None
        yield ReviewRow(
            text=text.strip(),
            rating=rating,
            product=product,
            id=None if ident is None else str(ident),
            extra={"brand": row["brand"]} if "brand" in row else {},
        )
        count += 1
        if limit is not None and count >= limit:
            return
    if not seen_text_column and count == 0:
        raise DataError(f"{path}: the file has no rows")


def read_reviews(
    path: str | Path, columns: Columns | None = None, *, limit: int | None = None
) -> list[ReviewRow]:
    return list(iter_reviews(path, columns, limit=limit))


def is_held_out(row: ReviewRow, fraction: float) -> bool:
    """Whether ``row`` belongs to the held-out part of its dataset at ``fraction``.

    Decided by the text alone (sha256), so the generator and a later ``evaluate`` of the same
    file agree on the split without either copying the held-out reviews anywhere.
    """
    return stable_int("holdout", row.text) < fraction * 2**SEED_BITS


def split_holdout(
    rows: list[ReviewRow], fraction: float
) -> tuple[list[ReviewRow], list[ReviewRow]]:
    """(the part a run may use, the held-out part) of ``rows``."""
    kept = [row for row in rows if not is_held_out(row, fraction)]
    held = [row for row in rows if is_held_out(row, fraction)]
    return kept, held
