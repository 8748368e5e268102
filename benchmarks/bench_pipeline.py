"""Issue 3's acceptance run: the pipeline vs a single-prompt baseline, both scored on real
reviews the generator never saw.

The shared real reviews are split (seeded): one half is the `--reference` (exemplars and
calibration of ratings, lengths and products), the other half is only used for measuring.
Both datasets are scored with `reviewgen.evaluation` (classifier AUC, length KS, agreement).

Run: .venv/bin/python benchmarks/bench_pipeline.py [COUNT] [--provider fake] [--keep DIR]
[--set KEY=VALUE ...] (config overrides for the pipeline only, for experiments)
The full acceptance run is COUNT=200 on the embedded model. ``--keep DIR`` keeps both datasets,
the split and the rejects for inspection; run again with the same DIR to resume a stopped run
(``minutes_total`` then spans from the split to the last accepted review, stops included);
a kept baseline of the same size is reused with its recorded time.
"""

from __future__ import annotations

import asyncio
import csv
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from common import REAL_REVIEWS, save, set_overrides
from reviewgen.core.allocation import largest_remainder
from reviewgen.evaluation import EvaluationOptions, evaluate
from reviewgen.models.providers import build_model, is_chat
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from reviewgen.text.aspects import AspectLexicon
from reviewgen.vectorstore import DuplicateStore, build_embedder


def split(workdir: Path) -> tuple[Path, Path]:
    with REAL_REVIEWS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(0).shuffle(rows)
    half = len(rows) // 2
    paths = (workdir / "reference.csv", workdir / "measure.csv")
    for path, part in zip(paths, (rows[:half], rows[half:]), strict=True):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)
    return paths


async def baseline(
    count: int, reference: Path, overrides: list[str], out: Path, seed: int = 1
) -> None:
    """One prompt per review, same model: no persona, no critic, no store."""
    config = load_config(None, overrides)
    model = build_model(config.models.for_role("writer"))
    with reference.open(newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    weights = Counter(int(r["rating"]) for r in real)
    products = [r["product"] for r in real]
    rng = random.Random(seed)
    ratings = [s for s, n in largest_remainder(weights, count).items() for _ in range(n)]
    with out.open("w", encoding="utf-8") as handle:
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
                # Seed 1 keeps the model seeds 0..count-1 that every kept baseline was written with.
                sampling = {"seed": (seed - 1) * count + i, "max_tokens": 120}
                text = await model.bind(stop=["\n\n", "Product:"], **sampling).ainvoke(prompt)
            text = " ".join(str(text).split()) or "."
            handle.write(json.dumps({"text": text, "rating": rating, "synthetic": True}) + "\n")


def run_baseline(
    count: int, reference: Path, overrides: list[str], work: Path
) -> tuple[float, bool]:
    """Minutes the baseline took, and whether it was reused: a kept one of the same size is
    (it is seeded, so another run of it writes the same reviews)."""
    out, meta = work / "baseline.jsonl", work / "baseline.meta.json"
    if out.exists() and meta.exists() and len(read(out)) == count:
        return float(json.loads(meta.read_text())["minutes"]), True
    started = time.perf_counter()
    asyncio.run(baseline(count, reference, overrides, out))
    minutes = (time.perf_counter() - started) / 60
    meta.write_text(json.dumps({"minutes": minutes}))
    return minutes, False


def describe(count: int, experiment: list[str], seed: int, concurrency: int, reused: bool) -> str:
    """What was run, for the results file (the command line's facts, nothing hand-written)."""
    config = "the default config" + (f" with {', '.join(experiment)}" if experiment else "")
    baseline_source = (
        "reused from the kept directory, with the time recorded when it was written"
        if reused
        else "written in this run"
    )
    return (
        f"{count} reviews from {config}, seed {seed}, concurrency {concurrency}; half of the "
        "real reviews as the reference, the other half only for measuring; the single-prompt "
        f"baseline {baseline_source}; AUC as reviewgen evaluate computes it (seed 0)."
    )


def score(name: str, synthetic: Path, measure: Path) -> dict:
    """Against the half the generator never saw (no exemplar, no calibration came from it)."""
    result = evaluate(synthetic, measure, options=EvaluationOptions(seed=0))
    s = result.summary
    giveaways = result.metrics["realism"]["giveaways"]["word"][:8]
    print(f"{name}: n-grams that give it away:", ", ".join(g["ngram"] for g in giveaways))
    return {
        "dataset": name,
        "auc": s.get("auc"),
        "words_ks": s.get("words_ks"),
        "sentiment_agreement": s.get("sentiment_agreement_synthetic"),
        "rating_tv": s.get("rating_tv"),
    }


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def within_dataset_duplicates(records: list[dict], threshold: float) -> int:
    store = DuplicateStore(build_embedder("hashing.v1"), threshold)
    return sum(not store.check_and_add(str(i), r["text"])[0] for i, r in enumerate(records))


def copies_of_reference(records: list[dict], reference: Path, threshold: float) -> int:
    with reference.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    store = DuplicateStore(build_embedder("hashing.v1"), threshold)
    store.add([str(i) for i in range(len(texts))], texts)
    return sum(store.is_duplicate(store.nearest(r["text"])) for r in records)


def minutes_total(records: list[dict], reference: Path) -> float:
    """From the split (written just before generation starts) to the last accepted review."""
    last = max(datetime.fromisoformat(r["created_at"]).timestamp() for r in records)
    return (last - reference.stat().st_mtime) / 60


def pipeline_checks(records: list[dict], config, reference: Path) -> dict:
    """The issue's acceptance checks on the pipeline's own output."""
    lexicon = AspectLexicon(config.category.aspects)
    with reference.open(newline="", encoding="utf-8") as handle:
        target = Counter(int(row["rating"]) for row in csv.DictReader(handle))
    got = Counter(r["rating"] for r in records)
    points = max(
        abs(100 * got[s] / len(records) - 100 * target[s] / sum(target.values()))
        for s in range(1, 6)
    )
    return {
        "rating_mix_max_diff_points": round(points, 1),
        "aspects_not_covered": sum(
            not all(lexicon.covers(r["text"], a) for a in r["aspects"]) for r in records
        ),
        "copies_of_reference": copies_of_reference(records, reference, config.store.threshold),
        "re_aimed_share": round(
            sum(
                r["planned_length"] is not None or r["planned_aspects"] is not None for r in records
            )
            / len(records),
            2,
        ),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    overrides = []
    if "--provider" in sys.argv:
        provider = sys.argv[sys.argv.index("--provider") + 1]
        overrides = [f"models.default.provider={provider}", f"models.default.model={provider}"]
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        reference, measure = work / "reference.csv", work / "measure.csv"
        if not (reference.exists() and measure.exists()):
            split(work)
        experiment = set_overrides()
        config = load_config(
            None, [*overrides, *experiment, f"run.count={count}", f"reference.path={reference}"]
        )
        resume = (work / "pipeline" / "reviews.jsonl").exists()
        result = generate(config, work / "pipeline", resume=resume, overwrite=not resume)
        baseline_minutes, reused = run_baseline(count, reference, overrides, work)
        ours, theirs = read(work / "pipeline" / "reviews.jsonl"), read(work / "baseline.jsonl")
        threshold = config.store.threshold
        rows = [
            score("pipeline", work / "pipeline" / "reviews.jsonl", measure)
            | {
                "reviews_per_min": round(result.reviews_per_minute, 2),
                "minutes_total": round(minutes_total(ours, reference), 1),
                "own_work_share": round(1 - result.stats.model_seconds / result.stats.elapsed, 4),
                "drafts": result.stats.drafts,
                "duplicate_pairs": within_dataset_duplicates(ours, threshold),
            }
            | pipeline_checks(ours, config, reference),
            score("single prompt", work / "baseline.jsonl", measure)
            | {
                "reviews_per_min": round(len(theirs) / baseline_minutes, 2),
                "minutes_total": round(baseline_minutes, 1),
                "own_work_share": "",
                "drafts": len(theirs),
                "duplicate_pairs": within_dataset_duplicates(theirs, threshold),
                "rating_mix_max_diff_points": "",
                "aspects_not_covered": "",
                "copies_of_reference": copies_of_reference(theirs, reference, threshold),
                "re_aimed_share": "",
            },
        ]
    note = describe(count, experiment, config.run.seed, config.run.concurrency, reused)
    save("pipeline" if not overrides else "pipeline-fake", rows, note)


if __name__ == "__main__":
    main()
