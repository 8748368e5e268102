"""The embedded model on this machine: raw tokens/s, and reviews/min through the pipeline.

Run: .venv/bin/python benchmarks/bench_embedded.py [COUNT] [--set KEY=VALUE ...]   (offline)
Without ``--set`` it measures the default config (results/embedded.json); with it, e.g.
``--set models.default.model=gemma3-270m-latin``, results/embedded-set.json.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import save, set_overrides
from reviewgen.models.providers import build_model
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate


def raw_speed(overrides: list[str]) -> dict:
    config = load_config(None, overrides)
    model = build_model(config.models.for_role("writer"))
    prompt = "Product: Google Pixel 9a\nRating: 4 out of 5 stars\nReview:"
    model.bind(max_tokens=8).invoke(prompt)  # load the model
    result = model.bind(max_tokens=128, seed=1, stop=[]).generate([prompt])
    started = time.perf_counter()
    result = model.bind(max_tokens=128, seed=2, stop=[]).generate([prompt])
    seconds = time.perf_counter() - started
    out = result.llm_output["token_usage"]["output_tokens"]
    return {
        "what": "raw generation",
        "tokens_out": out,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(out / seconds, 1),
    }


def pipeline_speed(count: int, overrides: list[str]) -> dict:
    config = load_config(None, [*overrides, f"run.count={count}"])
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(config, Path(tmp))
    usage = result.usage["writer"]
    return {
        "what": f"generate {count} ({' '.join(overrides) or 'default config'})",
        "tokens_out": usage.output_tokens,
        "seconds": round(result.stats.elapsed, 1),
        "tokens_per_s": round(usage.output_tokens / result.stats.model_seconds, 1),
        "reviews_per_min": round(result.reviews_per_minute, 2),
        "drafts": result.stats.drafts,
        "overhead_share": round(1 - result.stats.model_seconds / result.stats.elapsed, 4),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 8
    overrides = set_overrides()
    raw = raw_speed(overrides)
    run = pipeline_speed(count, overrides)
    raw |= {k: "" for k in run if k not in raw}
    save("embedded-set" if overrides else "embedded", [raw, run])


if __name__ == "__main__":
    main()
