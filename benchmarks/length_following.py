"""How closely runs wrote their planned lengths: words written over the plan's target, by band.

A writer that undershoots long targets shrinks the long tail the length rule lets through (it
accepts half the target); this shows where. Each run directory's ``reviews.jsonl`` carries the
plan's ``length_target`` beside the text.

    python benchmarks/length_following.py RUN_DIR [RUN_DIR ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from reviewgen.evaluation.shape import LONG_REVIEW_WORDS
from reviewgen.text.words import word_count

BANDS = ((1, 15), (15, 50), (50, 116), (116, 10_000))  # targets; 116+: the long reviews


def following(run: Path) -> dict[str, object]:
    records = [json.loads(line) for line in (run / "reviews.jsonl").open(encoding="utf-8")]
    words = [word_count(r["text"]) for r in records]
    bands = {}
    for low, high in BANDS:
        ratios = [
            n / r["length_target"]
            for r, n in zip(records, words, strict=True)
            if low <= r["length_target"] < high
        ]
        name = f"{low}-{high - 1}" if high < 10_000 else f"{low}+"
        bands[name] = {
            "targets": len(ratios),
            "median_written_share": round(statistics.median(ratios), 2) if ratios else None,
        }
    return {
        "run": run.name,
        "reviews": len(records),
        "long_share": round(sum(n > LONG_REVIEW_WORDS for n in words) / max(1, len(words)), 4),
        "long_target_share": round(
            sum(r["length_target"] > LONG_REVIEW_WORDS for r in records) / max(1, len(records)), 4
        ),
        "bands": bands,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run directories")
    for run in parser.parse_args().runs:
        print(json.dumps(following(run)))


if __name__ == "__main__":
    main()
