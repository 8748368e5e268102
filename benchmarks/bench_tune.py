"""The cost of a ``reviewgen tune`` training step: fp32 against bf16, CPU and wall seconds.

All 18 layers, LoRA rank 16 on the 7 projections, a batch of random token sequences of the phone
reviews' mean length with their header. Writes benchmarks/results/tune_steps.json with the
machine's load (``os.getloadavg``) at start and end: on a shared machine the wall time is not a
speed, the process's CPU seconds are.

    python benchmarks/bench_tune.py --threads 2

Whether a tuned writer makes reviews more real is ``bench_realism.py --adapter`` (docs/TUNE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def steps(threads: int, batch: int, length: int, repeats: int) -> dict[str, object]:
    """CPU seconds and wall seconds per training step on random tokens of ``length``."""
    import torch

    from reviewgen.models.llamacpp import resolve_model
    from reviewgen.tune.examples import Example
    from reviewgen.tune.gemma import LoraGemma, read_gguf
    from reviewgen.tune.train import TrainSettings, collate

    torch.set_num_threads(threads)
    path, _ = resolve_model("gemma3-270m-latin")
    generator = random.Random(0)
    prompt = length // 2  # the loss on the second half, as a header and its review
    batch_examples = [
        Example([generator.randrange(10, 100_000) for _ in range(length)], prompt)
        for _ in range(batch)
    ]
    tokens, labels = collate(batch_examples)
    results: dict[str, object] = {}
    for precision in ("fp32", "bf16"):
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        base, weights = read_gguf(path, dtype)
        model = LoraGemma(base, weights, rank=16, alpha=32, seed=0)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4)
        settings = TrainSettings(precision=precision)  # type: ignore[arg-type]
        cpu, wall = [], []
        for _ in range(repeats + 1):  # the first step warms up
            c0, w0 = time.process_time(), time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.precision == "bf16"):
                loss = model.loss(tokens, labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        results[precision] = {
            "cpu_seconds_per_step": round(sorted(cpu[1:])[len(cpu[1:]) // 2], 2),
            "wall_seconds_per_step": round(sorted(wall[1:])[len(wall[1:]) // 2], 2),
        }
        del model, weights
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=112, help="tokens (the reviews' mean)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    result: dict[str, object] = {
        "threads": args.threads,
        "batch": args.batch,
        "tokens_per_sequence": args.length,
        **steps(args.threads, args.batch, args.length, args.repeats),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "command": "python benchmarks/bench_tune.py " + " ".join(sys.argv[1:]),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tune_steps.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
