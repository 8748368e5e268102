"""Issue 22's realism benchmark: default runs graded on real reviews no part of the run saw.

The shared real reviews are split with a fixed seed, stratified by rating, into a run part
(the ``--reference`` of ``reviewgen generate``: few-shot examples, calibration, and the data
the ``realism.v1`` rule learns from) and an evaluation part that neither the generator nor any
critic rule sees. For each seed, ``reviewgen generate`` writes COUNT reviews with the default
config, then ``reviewgen evaluate OUT --reference eval_part.csv`` grades them: every detector
family's AUC (the worst is the headline), length, long reviews, rating/sentiment agreement
against the real reviews' own, distinct-2, stock phrases, near-duplicates; copies are counted
against the run part (the reviews the generator did see). ``--baseline`` adds a single-prompt
set per seed (same model, one prompt per review: no persona, critic or store). ``--adapter DIR``
adds the tuned writer per seed (``reviewgen tune --reference RUN_PART`` trained it: the run part
is written first, so ``--keep DIR`` then ``reviewgen tune --reference DIR/run_part.csv``), with
no examples in its prompt; ``--adapter "LABEL=DIR"``, repeated, compares several adapters.
Every set is also checked for memorisation: the share of its reviews closer to a run-part
review than held-out real reviews are (``evaluate --holdout``'s DCR).

Run (a full run, 300 x 3 seeds, takes about an hour of both cores):
    .venv/bin/python benchmarks/bench_realism.py --count 300 --seeds 1 2 3 --baseline
Quick plumbing check (a few minutes; do not publish its numbers):
    .venv/bin/python benchmarks/bench_realism.py --count 60 --seeds 1 --out /tmp/realism.json
``--keep DIR`` keeps the split, the runs and the reports; a run already complete in DIR is
reused with its reports, so a stopped benchmark resumes; ``--regrade`` evaluates kept runs again
(after a change to the evaluation).
``--set KEY=VALUE`` passes config overrides to the runs (experiments; the single prompt takes
only its writer model from them): ``--set models.default.provider=fake --set
models.default.model=fake`` checks the plumbing in a minute without the embedded model.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import REAL_REVIEWS, RESULTS

SPLIT_SEED = 0
FAMILIES = ("tfidf_lr", "naive_bayes", "stylometric", "zero_shot")
# The goals, checked on the mean over seeds: (metric, test, wording).
GOALS = (
    ("auc_worst", lambda v: v <= 0.75, "every detector family's AUC <= 0.75 (stretch 0.70)"),
    ("words_ks", lambda v: v <= 0.10, "length KS <= 0.10"),
    ("long_review_gap", lambda v: v <= 0.02, "share over 115 words within 2 points of real"),
    ("agreement_gap", lambda v: v <= 0.05, "rating/sentiment agreement within 0.05 of real"),
    ("distinct_2_ratio", lambda v: v >= 0.95, "distinct-2 >= 0.95x real at equal n"),
    ("assistant_phrase_ratio", lambda v: v <= 2.0, "assistant-style phrases <= 2x real"),
    ("copies_of_reference", lambda v: v == 0, "0 copies of the reference"),
    ("near_duplicate_excess", lambda v: v <= 0.0, "within-set near-duplicates <= real's"),
)


def reviewgen_command() -> list[str]:
    script = Path(sys.executable).with_name("reviewgen")
    found = script if script.exists() else shutil.which("reviewgen")
    if found is None:
        sys.exit("reviewgen is not installed in this environment (pip install -e .)")
    return [str(found)]


def split(work: Path) -> tuple[Path, Path]:
    """Half of each star rating's reviews to the run part, half to the evaluation part."""
    run_part, eval_part = work / "run_part.csv", work / "eval_part.csv"
    if run_part.exists() and eval_part.exists():
        return run_part, eval_part
    with REAL_REVIEWS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_rating: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_rating[row["rating"]].append(row)
    rng = random.Random(SPLIT_SEED)
    parts: tuple[list[dict], list[dict]] = ([], [])
    for rating in sorted(by_rating):
        group = by_rating[rating]
        rng.shuffle(group)
        parts[0].extend(group[: len(group) // 2])
        parts[1].extend(group[len(group) // 2 :])
    for path, part in zip((run_part, eval_part), parts, strict=True):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)
    return run_part, eval_part


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def complete(out: Path, count: int) -> bool:
    reviews = out / "reviews.jsonl"
    return reviews.exists() and len(read(reviews)) >= count


PROVENANCE = "generated.json"  # in each run directory: the commit and settings that wrote it


def source_commit() -> str:
    """HEAD, marked when ``src/`` differs from it (the runs would not be that commit's)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    return f"{head} (src/ modified)" if git("status", "--porcelain", "--", "src") else head


def record_provenance(out: Path, commit: str, overrides: list[str], load_before: float) -> None:
    """A kept run may be tabulated again at a later commit: it carries the one that wrote it."""
    provenance = {
        "commit": commit,
        "date": time.strftime("%Y-%m-%d"),
        "overrides": overrides,
        "load_average": {"before": round(load_before, 2), "after": os.getloadavg()[0]},
    }
    (out / PROVENANCE).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")


def generated_with(out: Path) -> str | None:
    path = out / PROVENANCE
    return json.loads(path.read_text(encoding="utf-8"))["commit"] if path.exists() else None


def generate(
    out: Path, run_part: Path, count: int, seed: int, overrides: list[str], commit: str
) -> None:
    if complete(out, count):
        print(f"reusing {out}", flush=True)
        return
    load_before = os.getloadavg()[0]
    command = [
        *reviewgen_command(),
        "generate",
        "--reference", str(run_part),
        "--count", str(count),
        "--seed", str(seed),
        "--out", str(out),
        "--overwrite",
    ]  # fmt: skip
    for override in overrides:
        command += ["--set", override]
    code = subprocess.run(command, check=False).returncode
    if code != 0:
        sys.exit(f"reviewgen generate stopped with exit code {code}: see {out / 'run.json'}")
    record_provenance(out, commit, overrides, load_before)


async def single_prompt(
    count: int, run_part: Path, out: Path, seed: int, overrides: list[str]
) -> float:
    """One prompt per review with the run's writer model: the baseline. Returns minutes."""
    from reviewgen.core.allocation import largest_remainder
    from reviewgen.models.providers import build_model, is_chat
    from reviewgen.pipeline.components import load_config

    model = build_model(load_config(None, overrides).models.for_role("writer"))
    with run_part.open(newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    weights = Counter(int(r["rating"]) for r in real)
    products = [r["product"] for r in real]
    rng = random.Random(seed)
    ratings = [s for s, n in largest_remainder(weights, count).items() for _ in range(n)]
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (out / "reviews.jsonl").open("w", encoding="utf-8") as handle:
        for i, rating in enumerate(ratings):
            product = rng.choice(products)
            if is_chat(model):
                answer = await model.ainvoke(
                    f"Write a {rating}-star customer review of the {product}. "
                    "Output only the review."
                )
                text = str(answer.content)
            else:
                prompt = f"Product: {product}\nRating: {rating} out of 5 stars\nReview:"
                sampling = {"seed": (seed - 1) * count + i, "max_tokens": 120}
                text = await model.bind(stop=["\n\n", "Product:"], **sampling).ainvoke(prompt)
            text = " ".join(str(text).split()) or "."
            handle.write(json.dumps({"text": text, "rating": rating, "synthetic": True}) + "\n")
    minutes = (time.perf_counter() - started) / 60
    (out / "baseline.json").write_text(json.dumps({"minutes": minutes}))
    return minutes


def baseline(
    out: Path, run_part: Path, count: int, seed: int, overrides: list[str], commit: str
) -> float:
    """Reviews per minute of the single prompt (a kept complete set keeps its time)."""
    timing = out / "baseline.json"
    if complete(out, count) and timing.exists():
        print(f"reusing {out}", flush=True)
        minutes = json.loads(timing.read_text())["minutes"]
    else:
        load_before = os.getloadavg()[0]
        minutes = asyncio.run(single_prompt(count, run_part, out, seed, overrides))
        record_provenance(out, commit, overrides, load_before)
    return round(count / minutes, 2)


def grade(out: Path, report: str, options: list[str], reuse: bool) -> dict:
    """``reviewgen evaluate OUT *options --out OUT/report``'s metrics; a report written after
    its reviews is reused unless ``reuse`` is off (a stopped benchmark's finished grading)."""
    metrics = out / report / "metrics.json"
    reviews = out / "reviews.jsonl"
    if not (reuse and metrics.exists() and metrics.stat().st_mtime > reviews.stat().st_mtime):
        command = [*reviewgen_command(), "evaluate", str(out), *options, "--out", str(out / report)]
        if subprocess.run(command, check=False).returncode not in (0, 1):  # 1: a gate failed
            sys.exit(f"reviewgen evaluate failed on {out} ({report})")
    return json.loads(metrics.read_text(encoding="utf-8"))


def evaluate(out: Path, eval_part: Path, zero_shot: bool, reuse: bool) -> dict:
    options = ["--reference", str(eval_part)] + ([] if zero_shot else ["--no-zero-shot"])
    return grade(out, "report", options, reuse)


def copies_of_reference(records: list[dict], run_part: Path, overrides: list[str]) -> int:
    """Reviews at or above the store's threshold to a review the generator saw."""
    from reviewgen.pipeline.components import load_config
    from reviewgen.vectorstore import DuplicateStore, build_embedder

    store_config = load_config(None, overrides).store
    with run_part.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    embedder = build_embedder(store_config.embedder.name, store_config.embedder.params)
    store = DuplicateStore(embedder, store_config.threshold)
    store.add([str(i) for i in range(len(texts))], texts)
    return sum(store.is_duplicate(store.nearest(r["text"])) for r in records)


def pipeline_checks(records: list[dict], manifest: dict, run_part: Path) -> dict:
    """The pipeline's own promises: the reference's rating mix, every planned aspect written
    about, and how little of the time is its own work (the rest waits on the model)."""
    from reviewgen.core.config import Config
    from reviewgen.text.aspects import AspectLexicon

    config = Config.model_validate(manifest["config"])
    lexicon = AspectLexicon(config.category.aspects)
    with run_part.open(newline="", encoding="utf-8") as handle:
        target = Counter(int(r["rating"]) for r in csv.DictReader(handle))
    got = Counter(r["rating"] for r in records)
    points = max(
        abs(100 * got[s] / len(records) - 100 * target[s] / sum(target.values()))
        for s in range(1, 6)
    )
    return {
        "rating_mix_max_diff_points": round(points, 1),
        "aspects_not_covered": sum(
            not all(lexicon.covers(r["text"], a) for a in r.get("aspects") or []) for r in records
        ),
        "own_work_share": round(1 - manifest["model_seconds"] / max(manifest["seconds"], 1e-9), 4),
        "reviews_per_min": manifest["reviews_per_minute"],
        "drafts": manifest["drafts"],
    }


def memorisation(out: Path, run_part: Path, eval_part: Path, reuse: bool) -> dict:
    """Nearest-neighbour similarity to the reviews the generator read (and the tuned writer
    trained on), against the held-out real reviews' own: ``uniqueness.dcr``."""
    options = ["--reference", str(run_part), "--holdout", str(eval_part), "--no-zero-shot"]
    dcr = grade(out, "memorisation", options, reuse)["uniqueness"]["dcr"]
    return {
        "closer_than_holdout_share": dcr.get("closer_than_holdout_share"),
        "closer_than_holdout_expected": dcr.get("expected_share"),
    }


def row(
    dataset: str,
    seed: int,
    metrics: dict,
    records: list[dict],
    run_part: Path,
    overrides: list[str],
) -> dict:
    s = metrics["summary"]
    realism = metrics["realism"]
    families = realism.get("families", {})
    long = metrics["shape"].get("long_reviews", {})
    return {
        "dataset": dataset,
        "seed": seed,
        "reviews": len(records),
        **{f"auc_{name}": families.get(name, {}).get("auc") for name in FAMILIES},
        "auc_worst": s["detector_auc_worst"],
        "family_worst": s["detector_family_worst"],
        "words_ks": s["words_ks"],
        "long_share": long.get("synthetic"),
        "long_share_real": long.get("real"),
        "long_review_gap": s["long_review_gap"],
        "agreement": s["sentiment_agreement_synthetic"],
        "agreement_real": s["sentiment_agreement_real"],
        "agreement_gap": s["sentiment_agreement_gap"],
        "distinct_2_ratio": s["distinct_2_ratio"],
        "assistant_phrase_ratio": s["assistant_phrase_ratio"],
        "copies_of_reference": copies_of_reference(records, run_part, overrides),
        "near_duplicate_rate": s["near_duplicate_rate_synthetic"],
        "near_duplicate_rate_real": s["near_duplicate_rate_real"],
        "near_duplicate_excess": s["near_duplicate_excess"],
        "zero_shot_seconds_per_text": families.get("zero_shot", {}).get("seconds_per_text"),
        "not_independent": sorted(metrics["independence"].get("not_independent", {})),
        "evaluation_reviews_seen_by_generator": metrics["independence"]
        .get("reference_overlap", {})
        .get("in_common"),
    }


def spread(rows: list[dict]) -> dict:
    """Mean, standard deviation, min and max over seeds of every numeric column."""
    summary: dict = {"seeds": {"n": len(rows)}}
    for key, value in rows[0].items():
        values = [r[key] for r in rows if isinstance(r[key], int | float) and r[key] is not None]
        if key == "seed" or not values or isinstance(value, bool):
            continue
        summary[key] = {
            "mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else None,
            "min": min(values),
            "max": max(values),
        }
    return summary


def goals(summary: dict) -> list[dict]:
    return [
        {
            "goal": wording,
            "mean": summary[metric]["mean"] if metric in summary else None,
            "met": bool(test(summary[metric]["mean"])) if metric in summary else None,
        }
        for metric, test, wording in GOALS
    ]


def print_table(rows: list[dict]) -> None:
    keys = ["dataset", "seed", *(f"auc_{f}" for f in FAMILIES), "auc_worst", "words_ks"]
    keys += ["long_share", "agreement", "agreement_real", "distinct_2_ratio"]
    keys += ["assistant_phrase_ratio", "copies_of_reference", "near_duplicate_excess"]
    keys += ["closer_than_holdout_share", "reviews_per_min"]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join("" if r.get(k) is None else str(r.get(k)) for k in keys) + " |")


def labelled(value: str) -> tuple[str, Path]:
    """``LABEL=DIR`` or ``DIR`` (labelled 'tuned writer')."""
    label, _, path = value.rpartition("=")
    return label or "tuned writer", Path(path)


def tuned_adapter(adapter: Path) -> dict:
    """What ``reviewgen tune`` recorded of the adapter: data, settings, losses, time."""
    report = adapter / "adapter.json" if adapter.is_dir() else adapter.with_suffix(".json")
    return json.loads(report.read_text(encoding="utf-8")) if report.is_file() else {}


def summary_table(summary: dict) -> str:
    """One Markdown row per dataset: mean over seeds, with the range where seeds differ."""

    def cell(stats: dict | None, digits: int = 3, percent: bool = False) -> str:
        if not stats:
            return ""
        scale = 100 if percent else 1
        low, mean, high = (round(scale * stats[k], digits) for k in ("min", "mean", "max"))
        text = f"{mean:.{digits}f}" + ("%" if percent else "")
        return text if low == high else f"{text} ({low:.{digits}f}-{high:.{digits}f})"

    columns = [
        ("TF-IDF+LR", "auc_tfidf_lr", 3, False),
        ("naive Bayes", "auc_naive_bayes", 3, False),
        ("stylometric", "auc_stylometric", 3, False),
        ("zero-shot", "auc_zero_shot", 3, False),
        ("worst", "auc_worst", 3, False),
        ("length KS", "words_ks", 3, False),
        ("over 115 words", "long_share", 1, True),
        ("agreement", "agreement", 3, False),
        ("distinct-2 ratio", "distinct_2_ratio", 3, False),
        ("stock phrases ratio", "assistant_phrase_ratio", 2, False),
        ("copies", "copies_of_reference", 0, False),
        ("closer than held-out", "closer_than_holdout_share", 1, True),
        ("reviews/min", "reviews_per_min", 2, False),
    ]
    lines = ["| set | seeds | " + " | ".join(name for name, *_ in columns) + " |"]
    lines.append("|---|---|" + "---|" * len(columns))
    real = summary.get("pipeline", {})
    lines.append(
        "| real (evaluation part) | | | | | | | | "
        + f"{cell(real.get('long_share_real'), 1, True)} | {cell(real.get('agreement_real'))} |"
        + f" 1 | 1 | | {cell(real.get('closer_than_holdout_expected'), 1, True)} expected | |"
    )
    for dataset, stats in summary.items():
        cells = [cell(stats.get(key), digits, percent) for _, key, digits, percent in columns]
        seeds = stats.get("seeds", {}).get("n", "")
        lines.append(f"| {dataset} | {seeds} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="reviews per run (default 300)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--baseline", action="store_true", help="add a single-prompt set")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep (and reuse) the runs")
    parser.add_argument("--out", type=Path, default=RESULTS / "realism.json")
    parser.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="[LABEL=]DIR",
        help="add a tuned writer with this adapter (label: 'tuned writer'); repeatable",
    )
    parser.add_argument("--no-zero-shot", action="store_true", help="skip the zero-shot family")
    parser.add_argument(
        "--skip-default", action="store_true", help="only the --adapter and --baseline sets"
    )
    parser.add_argument(
        "--kept-only",
        action="store_true",
        help="tabulate the complete runs kept in --keep, generate nothing (seeds may differ)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="evaluate kept runs again (else reuse reports)"
    )
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    adapters = dict(labelled(value) for value in args.adapter)
    if not REAL_REVIEWS.exists():
        sys.exit(f"{REAL_REVIEWS} not found: the benchmark needs the shared real reviews")
    load_before = os.getloadavg()[0]
    commit = source_commit()  # at the start: the code that generates
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        run_part, eval_part = split(work)
        rows = []
        writers = {"pipeline": args.overrides}
        for label, adapter in adapters.items():
            tuned = [f"models.writer.adapter={adapter.resolve()}", "writer.exemplars=0"]
            writers[label] = [*args.overrides, *tuned]
        if args.skip_default:
            del writers["pipeline"]
        for seed in args.seeds:
            for dataset, overrides in writers.items():
                out = work / f"{dataset.replace(' ', '-')}-{seed}"
                if args.kept_only and not complete(out, args.count):
                    continue
                generate(out, run_part, args.count, seed, overrides, commit)
                metrics = evaluate(out, eval_part, not args.no_zero_shot, not args.regrade)
                manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
                records = read(out / "reviews.jsonl")
                rows.append(
                    row(dataset, seed, metrics, records, run_part, overrides)
                    | {"generated_with": generated_with(out)}
                    | pipeline_checks(records, manifest, run_part)
                    | memorisation(out, run_part, eval_part, not args.regrade)
                )
            if args.baseline:
                out = work / f"single-prompt-{seed}"
                if args.kept_only and not complete(out, args.count):
                    continue
                speed = baseline(out, run_part, args.count, seed, args.overrides, commit)
                metrics = evaluate(out, eval_part, not args.no_zero_shot, not args.regrade)
                records = read(out / "reviews.jsonl")
                rows.append(
                    row("single prompt", seed, metrics, records, run_part, args.overrides)
                    | {"generated_with": generated_with(out)}
                    | {"reviews_per_min": speed, "drafts": len(records)}
                    | memorisation(out, run_part, eval_part, not args.regrade)
                )
    datasets = sorted({r["dataset"] for r in rows}, key=lambda d: d != "pipeline")
    summary = {d: spread([r for r in rows if r["dataset"] == d]) for d in datasets}
    document = {
        "meta": {
            "command": "python benchmarks/bench_realism.py " + " ".join(sys.argv[1:]),
            "date": time.strftime("%Y-%m-%d"),
            "commit": commit,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}",
            "load_average": {"before": round(load_before, 2), "after": os.getloadavg()[0]},
            "minutes": round((time.perf_counter() - started) / 60, 1),
            "count": args.count,
            "seeds": args.seeds,
            "split": f"shared real reviews, seed {SPLIT_SEED}, half of each rating to the run's "
            "--reference, half to the evaluation",
            "overrides": args.overrides,
            "adapters": {label: tuned_adapter(path) for label, path in adapters.items()},
        },
        "rows": rows,
        "summary": summary,
        "goals": {d: goals(summary[d]) for d in datasets if d != "single prompt"},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_table(rows)
    print(summary_table(summary))
    for dataset, checked in document["goals"].items():
        for goal in checked:
            verdict = "met" if goal["met"] else "NOT met"
            print(f"{dataset}: {verdict}: {goal['goal']} (mean {goal['mean']})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
