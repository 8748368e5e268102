"""Issue 3's acceptance run: the pipeline vs a single-prompt baseline, both scored on real
reviews the generator never saw.

The shared real reviews are split (seeded): one half is the `--reference` (exemplars and
calibration of ratings, lengths and products), the other half is only used for measuring.
Both datasets are scored with `reviewgen.evaluation` (classifier AUC, length KS, agreement).

Run: .venv/bin/python benchmarks/bench_pipeline.py [COUNT] [--provider fake]
The full acceptance run is COUNT=200 on the embedded model (hours at today's acceptance rate).
"""

from __future__ import annotations

import asyncio
import csv
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

from common import REAL_REVIEWS, save
from reviewgen.agents.persona import quotas
from reviewgen.config import load_config
from reviewgen.evaluation import EvaluationOptions, evaluate
from reviewgen.providers import build_model, is_chat
from reviewgen.run import generate
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


async def baseline(count: int, reference: Path, overrides: list[str], out: Path) -> None:
    """One prompt per review, same model: no persona, no critic, no store."""
    config = load_config(None, overrides)
    model = build_model(config.models.for_role("writer"))
    with reference.open(newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    weights = Counter(int(r["rating"]) for r in real)
    products = [r["product"] for r in real]
    rng = random.Random(1)
    ratings = [s for s, n in quotas(weights, count).items() for _ in range(n)]
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
                text = await model.bind(stop=["\n\n", "Product:"], seed=i, max_tokens=120).ainvoke(
                    prompt
                )
            text = " ".join(str(text).split()) or "."
            handle.write(json.dumps({"text": text, "rating": rating, "synthetic": True}) + "\n")


def score(name: str, synthetic: Path, reference: Path, measure: Path) -> dict:
    result = evaluate(synthetic, reference, holdout=measure, options=EvaluationOptions(seed=0))
    s = result.summary
    return {
        "dataset": name,
        "auc": s.get("auc"),
        "words_ks": s.get("words_ks"),
        "sentiment_agreement": s.get("sentiment_agreement_synthetic"),
        "rating_tv": s.get("rating_tv"),
    }


def within_dataset_duplicates(path: Path, threshold: float) -> int:
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines()]
    store = DuplicateStore(build_embedder("hashing.v1"), threshold)
    return sum(not store.check_and_add(str(i), t)[0] for i, t in enumerate(texts))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    overrides = []
    if "--provider" in sys.argv:
        provider = sys.argv[sys.argv.index("--provider") + 1]
        overrides = [f"models.default.provider={provider}", f"models.default.model={provider}"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reference, measure = split(work)
        config = load_config(
            None, [*overrides, f"run.count={count}", f"reference.path={reference}"]
        )
        result = generate(config, work / "pipeline")
        asyncio.run(baseline(count, reference, overrides, work / "baseline.jsonl"))
        rows = [
            score("pipeline", work / "pipeline" / "reviews.jsonl", reference, measure)
            | {
                "reviews_per_min": round(result.reviews_per_minute, 2),
                "duplicate_pairs": within_dataset_duplicates(
                    work / "pipeline" / "reviews.jsonl", config.store.threshold
                ),
            },
            score("single prompt", work / "baseline.jsonl", reference, measure)
            | {
                "reviews_per_min": "",
                "duplicate_pairs": within_dataset_duplicates(
                    work / "baseline.jsonl", config.store.threshold
                ),
            },
        ]
    save("pipeline" if not overrides else "pipeline-fake", rows)


if __name__ == "__main__":
    main()
