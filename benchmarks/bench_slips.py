"""Measure the slips real reviews make (``reviewgen.text.slips``) and ship them as defaults.

Learns a ``SlipModel`` from real reviews and prints, per slip kind, the share of reviews that
show it, overall, per star rating and per length band, plus the detector's speed. Writes
``benchmarks/results/slips.json``; with ``--write-defaults`` also the numbers the generator uses
without a reference (``src/reviewgen/data/slip_rates.json``: counts and quantiles, no text).

    PYTHONPATH=src python benchmarks/bench_slips.py [REVIEWS.csv] [--write-defaults]
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path

from common import REAL_REVIEWS, save
from reviewgen.core.datasets import Columns, iter_reviews
from reviewgen.text.slips import DEFAULT_RATES, LENGTH_EDGES, SLIP_KINDS, SlipModel, detect


def _compact(data: dict) -> str:
    """JSON with one line per cell and per kind: small, and diffs stay readable."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        end = "," if i < len(data) - 1 else ""
        if isinstance(value, dict):
            inner = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()]
            lines.append(f"{json.dumps(key)}: {{\n" + ",\n".join(inner) + f"\n}}{end}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}{end}")
    return "\n".join(lines) + "\n}\n"


def main(argv: list[str]) -> None:
    paths = [a for a in argv if not a.startswith("--")]
    source = Path(paths[0]) if paths else REAL_REVIEWS
    rows = list(iter_reviews(source, Columns(text="text", rating="rating", product=None)))
    reviews = [(row.text, row.rating) for row in rows]
    start = time.perf_counter()
    for text, _ in reviews:
        detect(text)
    per_review_ms = (time.perf_counter() - start) / len(reviews) * 1000
    model = SlipModel.learn(reviews)
    bands = [f"<{LENGTH_EDGES[0]}"] + [
        f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(LENGTH_EDGES)
    ]
    bands.append(f"{LENGTH_EDGES[-1]}+")
    overall = model.shares()
    by_rating = {star: model.shares(star) for star in range(1, 6)}
    by_band = {}
    for band, label in enumerate(bands):
        cell = model.cells.get(f"*:{band}", {"n": 0, "sets": []})
        counts = dict.fromkeys(SLIP_KINDS, 0)
        for mask, n in cell["sets"]:
            for i, kind in enumerate(SLIP_KINDS):
                counts[kind] += n * bool(mask & (1 << i))
        by_band[label] = {k: round(v / max(cell["n"], 1), 4) for k, v in counts.items()}
    rows_out = [
        {
            "kind": kind,
            "share": overall[kind],
            **{f"{star}*": by_rating[star][kind] for star in range(1, 6)},
            **{label: by_band[label][kind] for label in bands},
            "intensity_median": model.intensity.get(kind, [0, 0, 0])[2],
        }
        for kind in SLIP_KINDS
    ]
    keys = list(rows_out[0])
    rows_out.append(dict.fromkeys(keys, "") | {"kind": "(reviews)", "share": len(reviews)})
    rows_out.append(
        dict.fromkeys(keys, "") | {"kind": "(detect ms/review)", "share": round(per_review_ms, 3)}
    )
    save("slips", rows_out)
    if "--write-defaults" in argv:
        DEFAULT_RATES.write_text(_compact(model.to_dict()), encoding="utf-8")
        print(f"wrote {DEFAULT_RATES}")


if __name__ == "__main__":
    main(sys.argv[1:])
