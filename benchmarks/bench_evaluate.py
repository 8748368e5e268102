"""Time ``reviewgen evaluate`` on N synthetic-like vs N real reviews and report peak memory.

The real side resamples ``../shared/data/amazon_unlocked_phones_dev.csv`` with light edits
(word drops and swaps, so rows are not exact repeats); the synthetic side stitches sentences of
other reviews together. Both are written to a temporary directory (never into the repository)
and evaluated from disk like the CLI does. Prints one Markdown table row.

    PYTHONPATH=src python benchmarks/bench_evaluate.py --rows 10000 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "amazon_unlocked_phones_dev.csv"
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def _load(path: Path) -> list[tuple[str, int]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], int(row["rating"])) for row in csv.DictReader(handle)]


def _edit(text: str, rng: random.Random) -> str:
    words = text.split()
    kept = [w for w in words if rng.random() > 0.08] or words
    if len(kept) > 3:
        i = rng.randrange(len(kept) - 1)
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return " ".join(kept)


def _stitch(pool: list[tuple[str, int]], rng: random.Random) -> tuple[str, int]:
    text, rating = rng.choice(pool)
    same_rating = [t for t, r in rng.sample(pool, 40) if r == rating] or [text]
    first = SENTENCE_RE.split(text)
    second = SENTENCE_RE.split(rng.choice(same_rating))
    return " ".join(first[: max(1, len(first) // 2 + 1)] + second[len(second) // 2 :]), rating


def make_sets(rows: int, seed: int, folder: Path) -> tuple[Path, Path]:
    reviews = _load(DATA)
    rng = random.Random(seed)
    rng.shuffle(reviews)
    cut = int(len(reviews) * 0.8)
    real_pool, synthetic_pool = reviews[:cut], reviews[cut:]
    paths = folder / "real.csv", folder / "synthetic.csv"
    for path, make in (
        (paths[0], lambda: (lambda t, r: (_edit(t, rng), r))(*rng.choice(real_pool))),
        (paths[1], lambda: _stitch(synthetic_pool, rng)),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "rating"])
            for _ in range(rows):
                writer.writerow(make())
    return paths


class TreeMemory:
    """Peak of the summed resident memory of this process and its children (Linux /proc),
    sampled every 0.2 s: the number the 2 GB budget is about."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss_mb(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                line = next(x for x in handle if x.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return 0.0
        return int(line.split()[1]) / 1024

    def _children(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == os.getpid():
                    found.append(int(entry))
        return found

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            total = self._rss_mb(os.getpid()) + sum(map(self._rss_mb, self._children()))
            self.peak_mb = max(self.peak_mb, total)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows per set")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found", file=sys.stderr)
        return 0

    from reviewgen.evaluation import EvaluationOptions, ReviewSource, evaluate
    from reviewgen.pipeline.components import load_config

    aspects = load_config(None).category.aspects
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        real, synthetic = make_sets(args.rows, args.seed, Path(tmp))
        options = EvaluationOptions(
            aspects=aspects, workers=args.workers, max_sample=args.max_sample, seed=args.seed
        )
        with TreeMemory() as memory:
            started = time.perf_counter()
            result = evaluate(ReviewSource(synthetic), ReviewSource(real), options=options)
            seconds = time.perf_counter() - started
    summary = result.summary
    print(
        "| rows per set | workers | max sample | seconds | peak memory, all processes (MB) "
        "| load average before / after | AUC | words KS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.rows:,} | {args.workers} | {args.max_sample:,} | {seconds:.1f} | "
        f"{memory.peak_mb:.0f} | {load_before:.1f} / {os.getloadavg()[0]:.1f} | "
        f"{summary['auc']} | {summary['words_ks']} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
