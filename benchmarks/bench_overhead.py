"""Pipeline overhead and concurrency scaling on the fake provider (issue: reliability).

- overhead: zero-latency fake model, hashing embedder: wall time per accepted review is all
  pipeline work (persona, prompt, critic, noise, embedding, FAISS, ledger).
- scaling: the fake model sleeps 100 ms per call; throughput at concurrency 32 vs 1.

``cpu_ms_per_draft`` is this process's CPU time over the whole ``generate`` call (set-up
included): on a shared machine wall time also counts other processes' turns, CPU time does not.
Each row is the median of REPEATS runs (by wall time); the same run on this VM varies by up to
1.5x from one minute to the next, so one run proves little.

Run: .venv/bin/python benchmarks/bench_overhead.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import save
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

# The fake's templated text is lexically close, so at the default 0.8 threshold most of its
# drafts are near-duplicates; 0.95 keeps the benchmark about pipeline work, which is the same.
FAKE = ["models.default.provider=fake", "models.default.model=fake", "store.threshold=0.95"]


def run(count: int, concurrency: int, latency: float) -> dict:
    config = load_config(
        None,
        [
            *FAKE,
            f"run.count={count}",
            f"run.concurrency={concurrency}",
            f"models.default.options={{latency: {latency}}}",
        ],
    )
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(config, Path(tmp))
    cpu = time.process_time() - cpu
    stats = result.stats
    return {
        "count": count,
        "concurrency": concurrency,
        "latency_ms": int(latency * 1000),
        "drafts": stats.drafts,
        "seconds": round(stats.elapsed, 2),
        "reviews_per_s": round(result.accepted / stats.elapsed, 1),
        "ms_per_accepted": round(1000 * stats.elapsed / result.accepted, 2),
        "ms_per_draft": round(1000 * stats.elapsed / stats.drafts, 2),
        "cpu_ms_per_draft": round(1000 * cpu / stats.drafts, 2),
    }


REPEATS = 5


def median_run(count: int, concurrency: int, latency: float) -> dict:
    runs = sorted(
        (run(count, concurrency, latency) for _ in range(REPEATS)), key=lambda r: r["seconds"]
    )
    return runs[REPEATS // 2] | {"runs": REPEATS}


def main() -> None:
    run(20, 1, 0.0)  # warm imports and lexicons
    rows = [median_run(500, 1, 0.0)]
    slow_1 = median_run(40, 1, 0.1)
    slow_32 = median_run(640, 32, 0.1)
    rows += [slow_1, slow_32]
    speedup = slow_32["reviews_per_s"] / slow_1["reviews_per_s"]
    rows.append(
        {k: "" for k in rows[0]} | {"count": "speed-up c32/c1", "concurrency": f"{speedup:.1f}x"}
    )
    save("overhead", rows)


if __name__ == "__main__":
    main()
