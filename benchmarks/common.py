"""Shared helpers for the benchmark scripts (results land in benchmarks/results/)."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL_REVIEWS = SHARED_DATA / "amazon_unlocked_phones_dev.csv"


def save(name: str, rows: list[dict]) -> Path:
    """Write results as JSON and print them as a Markdown table."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    meta = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    return path
