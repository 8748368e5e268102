"""Tuning the embedded model (``reviewgen tune``): its cost, and whether it makes reviews more real.

Three steps, each its own command (the data and the adapter stay outside the repository):

  # 1. a fixed, rating-stratified split of the real reviews: run.csv (generate from it),
  #    eval.csv (only the evaluation sees it), tune.csv (a stratified sample of run.csv)
  python benchmarks/bench_tune.py split --data ../shared/data/amazon_unlocked_phones_dev.csv \
      --dir /tmp/tune_bench --tune-reviews 800
  # 2. time training steps: fp32 and bf16, all 18 layers, LoRA rank 16 on the 7 projections
  python benchmarks/bench_tune.py steps --threads 1
  # then tune once:  reviewgen tune --reference /tmp/tune_bench/tune.csv \
  #                      --out /tmp/tune_bench/adapter --threads 1
  # 3. the tuned writer against the few-shot writer on the same split and seeds
  python benchmarks/bench_tune.py compare --dir /tmp/tune_bench --count 60 --seeds 1

``steps`` writes benchmarks/results/tune_steps.json and ``compare`` tune_compare.json, each with
the machine's load (``os.getloadavg``) at start and end: the machine is shared, so wall times
are given beside the process's CPU seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).parent.parent


def split(
    data: Path, out: Path, *, seed: int, run_share: float, tune_reviews: int
) -> dict[str, int]:
    """Stratified by star rating: ``run_share`` of each rating's reviews go to run.csv, the rest
    to eval.csv; tune.csv is a stratified sample of ``tune_reviews`` of run.csv (a tuning run
    that fits a shared machine; the whole run part when 0)."""
    with data.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rng = random.Random(seed)
    parts: dict[str, list[dict[str, str]]] = {"run": [], "eval": [], "tune": []}
    for group in _by_rating(rows):
        rng.shuffle(group)
        cut = round(len(group) * run_share)
        parts["run"] += group[:cut]
        parts["eval"] += group[cut:]
    share = tune_reviews / len(parts["run"]) if tune_reviews else 1.0
    for group in _by_rating(parts["run"]):
        parts["tune"] += group[: round(len(group) * share)]
    out.mkdir(parents=True, exist_ok=True)
    for name, part in parts.items():
        rng.shuffle(part)
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(part)
    return {name: len(part) for name, part in parts.items()}


def _by_rating(rows: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[row.get("rating", "")].append(row)
    return [groups[rating] for rating in sorted(groups)]


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


def _run(command: list[str]) -> float:
    started = time.perf_counter()
    print("$", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def _summary(metrics: dict) -> dict[str, object]:
    realism = metrics.get("realism", {})
    dcr = metrics.get("uniqueness", {}).get("dcr", {})
    return {
        "auc_worst": realism.get("auc"),
        "auc_by_family": {
            name: family.get("auc") for name, family in realism.get("families", {}).items()
        },
        "n_per_set": realism.get("n_per_set"),
        "words_ks": metrics.get("summary", {}).get("words_ks"),
        "dcr": {key: dcr.get(key) for key in ("synthetic_nn", "holdout_nn", "holdout_p99",
                                              "closer_than_holdout_share", "expected_share")},
        "copies": metrics.get("uniqueness", {}).get("copies", {}).get("count"),
    }  # fmt: skip


def compare(
    folder: Path,
    count: int,
    seeds: list[int],
    exemplars: int,
    writers: list[str],
    overrides: list[str],
    *,
    evaluate_only: bool = False,
    zero_shot: bool = True,
) -> dict[str, object]:
    """Generate ``count`` reviews per seed with each writer from run.csv (same config and
    seeds), then evaluate: realism against eval.csv (real reviews neither writer read), and
    memorisation as the nearest-neighbour similarity to tune.csv (the tuned writer's training
    reviews, also in the few-shot writer's example pool) against eval.csv's."""
    reviewgen = str(Path(sys.executable).parent / "reviewgen")
    adapter = folder / "adapter"
    options = {
        "few_shot": [],
        "tuned": [
            "--set",
            f"models.writer.adapter={adapter}",
            "--set",
            f"writer.exemplars={exemplars}",
        ],
    }
    runs: dict[tuple[str, int], dict[str, object]] = {}
    for seed in seeds:
        for name in writers:
            out = folder / f"{name}-seed{seed}"
            load = [round(x, 2) for x in os.getloadavg()]
            seconds = None
            if not evaluate_only:  # else: what an earlier (perhaps stopped) run accepted
                seconds = _run(
                    [
                        reviewgen, "generate", "--reference", str(folder / "run.csv"),
                        "--count", str(count), "--seed", str(seed), "--out", str(out),
                        "--overwrite", *options[name],
                        *[arg for o in overrides for arg in ("--set", o)],
                    ]
                )  # fmt: skip
            accepted = sum(1 for line in (out / "reviews.jsonl").open() if line.strip())
            _run([reviewgen, "evaluate", str(out), "--reference", str(folder / "eval.csv"),
                  "--out", str(out / "eval"),
                  *([] if zero_shot else ["--no-zero-shot"])])  # fmt: skip
            _run([reviewgen, "evaluate", str(out), "--reference", str(folder / "tune.csv"),
                  "--holdout", str(folder / "eval.csv"), "--no-zero-shot",
                  "--out", str(out / "memorisation")])  # fmt: skip
            realism = json.loads((out / "eval" / "metrics.json").read_text(encoding="utf-8"))
            memo = json.loads((out / "memorisation" / "metrics.json").read_text(encoding="utf-8"))
            runs[(name, seed)] = {
                "writer": name,
                "seed": seed,
                "count": count,
                "accepted": accepted,
                "generate_seconds": None if seconds is None else round(seconds, 1),
                "load_average_at_start": load,
                "overrides": overrides,
                "realism_vs_eval": _summary(realism),
                "memorisation_vs_tune_reviews": _summary(memo)["dcr"],
            }
    # Runs of other writers or seeds (another invocation, perhaps in parallel) are kept.
    result_path = RESULTS / "tune_compare.json"
    previous = json.loads(result_path.read_text(encoding="utf-8")) if result_path.is_file() else {}
    for run in previous.get("runs", []):
        runs.setdefault((run["writer"], run["seed"]), run)
    tune_report = adapter / "adapter.json"
    return {
        "adapter": json.loads(tune_report.read_text(encoding="utf-8"))
        if tune_report.is_file()
        else None,
        "tuned_exemplars": exemplars,
        "runs": sorted(runs.values(), key=lambda r: (r["seed"], r["writer"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("split")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--run-share", type=float, default=0.7)
    p.add_argument("--tune-reviews", type=int, default=0, help="tune.csv's size (0: all)")
    p = sub.add_parser("steps")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--length", type=int, default=112, help="tokens (the reviews' mean)")
    p.add_argument("--repeats", type=int, default=3)
    p = sub.add_parser("compare")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--count", type=int, default=80)
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--exemplars", type=int, default=0, help="the tuned writer's examples")
    p.add_argument("--writers", nargs="+", default=["few_shot", "tuned"])
    p.add_argument(
        "--evaluate-only", action="store_true", help="evaluate the runs already in --dir"
    )
    p.add_argument("--no-zero-shot", action="store_true", help="skip the slowest detector")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        help="a config override for both writers, e.g. models.default.timeout=900 (busy machine)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    if args.step == "split":
        print(
            json.dumps(
                split(
                    args.data,
                    args.dir,
                    seed=args.seed,
                    run_share=args.run_share,
                    tune_reviews=args.tune_reviews,
                )
            )
        )
        return
    if args.step == "steps":
        result: dict[str, object] = {
            "threads": args.threads,
            "batch": args.batch,
            "tokens_per_sequence": args.length,
            **steps(args.threads, args.batch, args.length, args.repeats),
        }
        name = "tune_steps.json"
    else:
        result = compare(
            args.dir,
            args.count,
            args.seeds,
            args.exemplars,
            args.writers,
            args.overrides,
            evaluate_only=args.evaluate_only,
            zero_shot=not args.no_zero_shot,
        )
        name = "tune_compare.json"
    result["load_average_start"] = [round(x, 2) for x in load_before]
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["command"] = "python benchmarks/bench_tune.py " + " ".join(sys.argv[1:])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2)[:4000])


if __name__ == "__main__":
    main()
