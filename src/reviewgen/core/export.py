"""The accepted ledger as a flat table (CSV or Parquet) that loads exactly as written.

``reviews.jsonl`` stays the source of truth; this writes the same records with one fixed
schema, so pandas, pyarrow and Hugging Face ``datasets`` all read the same types: the product
is split into scalar columns, every nested field (persona, critic verdicts, lists) is a JSON
string, integers are signed 64-bit (seeds are 63-bit, ``core/seeds.py``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reviewgen.core.errors import ConfigError, DataError

FORMATS = ("jsonl", "csv", "parquet")

# (column, type) in file order; "json" columns hold a JSON document as a string.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("text", "string"),
    ("rating", "int64"),
    ("product", "string"),
    ("brand", "string"),
    ("tier", "string"),
    ("price", "float64"),
    ("aspects", "json"),
    ("persona", "json"),
    ("length_target", "int64"),
    ("planned_length", "int64"),
    ("planned_aspects", "json"),
    ("models", "json"),
    ("seed", "int64"),
    ("slot", "int64"),
    ("attempts", "int64"),
    ("critic", "json"),
    ("noise", "json"),
    ("exemplar_ids", "json"),
    ("nearest_similarity", "float64"),
    ("synthetic", "bool"),
    ("created_at", "string"),
    ("generator", "string"),
)


def flat_row(record: dict[str, Any]) -> dict[str, Any]:
    """One ledger record as a row of ``COLUMNS``."""
    product = record.get("product") or {}
    values = {
        **record,
        "product": product.get("name"),
        "brand": product.get("brand"),
        "tier": product.get("tier"),
        "price": product.get("price"),
    }
    return {
        name: (json.dumps(values.get(name), sort_keys=True) if kind == "json" else values.get(name))
        for name, kind in COLUMNS
    }


def _records(ledger: Path) -> Iterator[dict[str, Any]]:
    with ledger.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[name for name, _ in COLUMNS])
        writer.writeheader()
        writer.writerows(rows)


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "--format parquet needs pyarrow: pip install 'reviewgen[parquet]'"
        ) from None
    arrow = {"string": pa.string(), "json": pa.string(), "int64": pa.int64()}
    arrow |= {"float64": pa.float64(), "bool": pa.bool_()}
    schema = pa.schema([(name, arrow[kind]) for name, kind in COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path)


def export(ledger: Path, fmt: str) -> Path:
    """Write ``reviews.<fmt>`` beside ``ledger`` (``jsonl``: the ledger itself)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: valid choices: {', '.join(FORMATS)}")
    if fmt == "jsonl":
        return ledger
    if not ledger.is_file():
        raise DataError(f"{ledger}: no accepted reviews to export")
    rows = [flat_row(record) for record in _records(ledger)]
    path = ledger.with_suffix(f".{fmt}")
    tmp = path.with_suffix(f".{fmt}.tmp")
    (_write_csv if fmt == "csv" else _write_parquet)(rows, tmp)
    tmp.replace(path)
    return path
