"""Resume from a large ledger: time `reviewgen generate --resume OUT` with N accepted reviews.

A 20-review run on the fake provider gives a real manifest and real record shapes; its ledger is
then grown to N records whose texts come from the fake provider's templates (50-150 words, the
default length range), and the run's count is set to N + 5, so the resume restores the store and
generates 5 reviews. Timed twice: with the snapshot autosave would have left at worst (all but the
last max(1000, N/50) records), and without one (full rebuild). The steps of a full rebuild
(ledger read, embedding, index build, snapshot write) are timed in-process.
Run: .venv/bin/python benchmarks/bench_resume.py [N]
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import fake_review, save
from reviewgen.core.config import Config
from reviewgen.pipeline.ledger import read_ledger
from reviewgen.vectorstore import SNAPSHOT_NAME, DuplicateStore, build_embedder

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "reviewgen.cli", "generate"]
FAKE = [
    "--set",
    "models.default.provider=fake",
    "--set",
    "models.default.model=fake",
    "--set",
    "store.threshold=0.95",
]


def grow_ledger(out: Path, size: int) -> None:
    """Replace the seed run's ledger with `size` records cloned from its own records."""
    lines = (out / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    seeds = [json.loads(line) for line in lines]
    rng = random.Random(0)
    with (out / "reviews.jsonl").open("w", encoding="utf-8") as handle:
        for slot in range(size):
            record = dict(seeds[slot % len(seeds)])
            record.update(id=f"r{slot:06d}-bench", slot=slot, text=fake_review(slot, rng))
            handle.write(json.dumps(record) + "\n")
    manifest = json.loads((out / "run.json").read_text())
    manifest["count"] = manifest["config"]["run"]["count"] = size + 5
    (out / "run.json").write_text(json.dumps(manifest))


def snapshot_prefix(out: Path, tail: int) -> dict:
    """What autosave leaves at worst: a snapshot of all but the last `tail` records.

    Built in-process, timing each step of a full rebuild on the way.
    """
    config = Config.model_validate(json.loads((out / "run.json").read_text())["config"])
    t0 = time.perf_counter()
    records = read_ledger(out / "reviews.jsonl").records
    t1 = time.perf_counter()
    embedder = build_embedder(config.store.embedder.name, config.store.embedder.params)
    store = DuplicateStore(
        embedder, config.store.threshold, index=config.store.index, expected_size=len(records) + 5
    )
    prefix = records[: len(records) - tail]
    vectors = embedder.embed([r.text for r in prefix])
    t2 = time.perf_counter()
    store.add([r.id for r in prefix], vectors=vectors)
    t3 = time.perf_counter()
    store.save(out / SNAPSHOT_NAME)
    t4 = time.perf_counter()
    n = len(prefix)
    return {
        "index": store.describe(),
        "read_ledger_s": round(t1 - t0, 1),
        "embed_ms_per_text": round(1000 * (t2 - t1) / n, 3),
        "index_build_s": round(t3 - t2, 1),
        "snapshot_write_s": round(t4 - t3, 1),
        "snapshot_mb": round((out / SNAPSHOT_NAME).stat().st_size / 1e6, 1),
    }


def time_resume(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, "--resume", str(out)], check=True, cwd=ROOT, capture_output=True)
    return round(time.perf_counter() - started, 1)


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    tail = max(1_000, size // 50)  # the most records a snapshot can lag behind (autosave)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        subprocess.run([*CLI, "--count", "20", "--out", str(out), *FAKE], check=True, cwd=ROOT)
        grow_ledger(out, size)
        ledger = (out / "reviews.jsonl").read_bytes()
        manifest = (out / "run.json").read_bytes()
        phases = snapshot_prefix(out, tail)
        with_snapshot = time_resume(out)
        accepted = sum(1 for _ in (out / "reviews.jsonl").open())
        # The same resume without a snapshot (a ledger from before snapshots, or a bad one).
        (out / "reviews.jsonl").write_bytes(ledger)
        (out / "run.json").write_bytes(manifest)
        for name in (SNAPSHOT_NAME, SNAPSHOT_NAME + ".json"):
            (out / name).unlink()
        without_snapshot = time_resume(out)
        row = {
            "ledger_records": size,
            "ledger_mb": round(len(ledger) / 1e6, 1),
            "snapshot_covers": size - tail,
            "resume_with_snapshot_s": with_snapshot,
            "resume_without_snapshot_s": without_snapshot,
            "accepted_after": accepted,
            **phases,
            "resume_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        }
    save("resume", [row])


if __name__ == "__main__":
    main()
