"""How much the single-prompt baseline's AUC moves from one set of reviews to the next.

The acceptance run compares one pipeline set with one baseline set; whether their difference
is more than the spread between sets of the same generator needs other sets of each. This
writes more baseline sets (other product draws and model seeds, the default config's writer
model) for a kept split and scores them as ``bench_pipeline.py`` does.

Run: cd benchmarks && ../.venv/bin/python baseline_spread.py DIR SEED [SEED ...]
where DIR is a ``bench_pipeline.py 200 --keep DIR`` directory (its split and size are reused;
seed 1 is the baseline that run wrote).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bench_pipeline import baseline, read, score


def main() -> None:
    work, seeds = Path(sys.argv[1]), [int(s) for s in sys.argv[2:]]
    count = len(read(work / "baseline.jsonl"))
    rows = []
    for seed in seeds:
        out = work / f"baseline-{seed}.jsonl"
        if not out.exists() or len(read(out)) != count:
            asyncio.run(baseline(count, work / "reference.csv", [], out, seed))
        scored = score(f"single prompt, seed {seed}", out, work / "measure.csv")
        rows.append({"seed": seed} | scored)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
