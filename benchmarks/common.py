"""Shared helpers for the benchmark scripts (results land in benchmarks/results/)."""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

from reviewgen.models.fake_reviews import compose_review

RESULTS = Path(__file__).parent / "results"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL_REVIEWS = SHARED_DATA / "amazon_unlocked_phones_dev.csv"
ASPECTS = ["battery", "camera", "screen", "price", "speed", "sound", "build quality", "software"]


def fake_review(i: int, rng: random.Random) -> str:
    """A realistic-length review from the fake provider's templates (50-150 words)."""
    aspects = ", ".join(rng.sample(ASPECTS, rng.randint(1, 3)))
    prompt = (
        f"Write a {rng.randint(1, 5)}-star review (#{i}).\nTalk about: {aspects}.\n"
        f"Length: about {rng.randint(50, 150)} words."
    )
    return compose_review(prompt)


def set_overrides(argv: list[str] | None = None) -> list[str]:
    """The ``--set KEY=VALUE`` config overrides given on the command line."""
    args = sys.argv if argv is None else argv
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--set"]


def save(name: str, rows: list[dict], note: str = "") -> Path:
    """Write results as JSON and print them as a Markdown table; ``note`` says what was run."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "commit": commit,
        "command": "python " + " ".join(["benchmarks/" + Path(sys.argv[0]).name, *sys.argv[1:]]),
    }
    if note:
        meta["note"] = note
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    return path
