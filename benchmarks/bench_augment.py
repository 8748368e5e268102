"""Time ``reviewgen augment``, ``scrub`` and ``combine`` from the command line on generated text.

Writes N reviews of about 60 words from the fake provider's templates (seeded) to a temporary
directory, then times, each as its own process as a user would run it: the CLI's start-up
(``reviewgen --help``), ``augment --ops typos,synonyms,style``, ``scrub`` and ``combine`` of the
reviews with their augmented copies. Records the load average before each command, since other
jobs on the machine stretch every time. Writes ``results/augment.json``.

    cd benchmarks && ../.venv/bin/python bench_augment.py [N]   # default 2000
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import save
from reviewgen.models.fake_reviews import compose_review

CLI = [sys.executable, "-m", "reviewgen.cli"]


def write_reviews(path: Path, count: int) -> None:
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            rating = rng.randint(1, 5)
            text = compose_review(
                f"Write a {rating}-star review (#{i}).\nTalk about: battery, screen.\n"
                "Length: about 60 words."
            )
            record = {"id": f"r{i}", "text": text, "rating": rating, "product": "Pixel 9a"}
            handle.write(json.dumps(record) + "\n")


def timed(name: str, args: list[str], reviews: int) -> dict:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run([*CLI, *args], check=True, capture_output=True)
    return {
        "command": name,
        "reviews": reviews,
        "seconds": round(time.perf_counter() - started, 2),
        "load_average_before": round(load, 2),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reviews, augmented = work / "reviews.jsonl", work / "augmented.jsonl"
        write_reviews(reviews, count)
        rows = [
            timed("reviewgen --help (start-up)", ["--help"], 0),
            timed(
                "augment --ops typos,synonyms,style",
                ["augment", str(reviews), "--ops", "typos,synonyms,style", "--out", str(augmented)],
                count,
            ),
            timed("scrub", ["scrub", str(reviews), "--out", str(work / "clean.jsonl")], count),
            timed(
                "combine reviews + augmented copies",
                ["combine", str(reviews), str(augmented), "--out", str(work / "all.jsonl")],
                2 * count,
            ),
        ]
    save("augment", rows)


if __name__ == "__main__":
    main()
