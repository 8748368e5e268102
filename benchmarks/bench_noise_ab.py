"""The same drafts with the earlier keyboard-typo style noise and with the learned slips.

Full embedded-model runs are slow on a shared 2-core machine; this isolates what the noise step
and the writer's continuation change. ``draft`` writes one draft per plan with the configured
writer (no critic), recording each draft's word count before and after the continuation of
drafts that stopped short. ``compare`` gives the same drafts (1) the style noise reviewgen used
before the slips (keyboard typos, casing, punctuation, slang and dropped apostrophes drawn
independently per persona, at the previous defaults) and (2) the slips drawn from the reference
(``persona.style.slips``), and reports against real reviews: the stylometric AUC and top gaps
(``stylometry_gap.py``), the slip shares, the share over 115 words with and without the
continuation, and the share whose tone agrees with the stars. Writes
``benchmarks/results/noise_ab.json``.

    PYTHONPATH=src python benchmarks/bench_noise_ab.py draft --reference REF.csv --count 40 \\
        --out drafts.jsonl [--set KEY=VALUE ...]
    PYTHONPATH=src python benchmarks/bench_noise_ab.py compare drafts.jsonl --real HELDOUT.csv
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path

from reviewgen.augment.noise import apply_style_noise
from reviewgen.chains.writer import Writer
from reviewgen.core.schemas import ReviewPlan, WritingStyle
from reviewgen.core.seeds import item_rng
from reviewgen.pipeline.build import build
from reviewgen.pipeline.components import load_config
from reviewgen.text.sentiment import agrees_with_rating, compound
from reviewgen.text.slips import SLIP_KINDS, default_model, profile
from reviewgen.text.words import word_count
from stylometry_gap import gap, read_texts

RESULTS = Path(__file__).parent / "results"
LONG = 115
# persona.style before the slips (core/config.py StyleMix until 2026-12-06).
PREVIOUS_MIX = {
    "casing": {"normal": 0.85, "lowercase": 0.12, "shouty": 0.03},
    "punctuation": {"normal": 0.6, "minimal": 0.2, "excited": 0.12, "ellipses": 0.08},
    "typo_rate": (0.0, 0.03),
    "slang": 0.15,
    "drops_apostrophes": 0.15,
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def previous_style(rng: random.Random) -> WritingStyle:
    mix = PREVIOUS_MIX
    return WritingStyle(
        casing=_pick(rng, mix["casing"]),  # type: ignore[arg-type]
        punctuation=_pick(rng, mix["punctuation"]),  # type: ignore[arg-type]
        typo_rate=round(rng.uniform(*mix["typo_rate"]), 4),  # type: ignore[arg-type]
        slang=rng.random() < mix["slang"],  # type: ignore[operator]
        drops_apostrophes=rng.random() < mix["drops_apostrophes"],  # type: ignore[operator]
    )


async def _draft(args: argparse.Namespace) -> None:
    overrides = [f"reference.path={args.reference}", *args.set]
    config = load_config(None, overrides)
    built = build(config, expected_size=args.count)
    agent, writer = built.stages.agent, built.stages.writer
    before: dict[int, int] = {}
    lengthen = Writer._lengthen

    async def recording(self, text, plan, *rest):  # the draft's length before continuing
        before[plan.index] = word_count(text)
        return await lengthen(self, text, plan, *rest)

    Writer._lengthen = recording  # type: ignore[method-assign]
    ratings = agent.allocate(args.count, config.run.seed)
    with Path(args.out).open("w", encoding="utf-8") as out:
        for slot, rating in enumerate(ratings):
            plan = agent.plan(slot, rating, config.run.seed)
            start = time.perf_counter()
            draft = await writer.draft(plan, item_rng(plan.seed, "candidate", 0))
            row = {
                "plan": plan.model_dump(mode="json"),
                "text": draft.text,
                "words": word_count(draft.text),
                "words_before_continuing": before.get(slot, word_count(draft.text)),
                "seconds": round(time.perf_counter() - start, 1),
            }
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(slot, rating, plan.length_target, row["words_before_continuing"], row["words"])


def _shares(texts: list[str]) -> dict[str, float]:
    found = [profile(t) for t in texts]
    return {k: round(sum(k in f for f in found) / len(found), 3) for k in SLIP_KINDS}


def _agreement(texts: list[str], ratings: list[int]) -> float:
    votes = [agrees_with_rating(compound(t), r) for t, r in zip(texts, ratings, strict=True)]
    counted = [v for v in votes if v is not None]
    return round(sum(counted) / len(counted), 3) if counted else float("nan")


def _previous_rule_passes(text: str, stars: int) -> bool:
    """rating_consistency.v1 as the default config set it before (VADER bounds)."""
    score = compound(text)
    return score > 0.0 if stars >= 4 else score < 0.3 if stars <= 2 else True


def _filtered_agreement(texts: list[str], plans: list[ReviewPlan], real: Path) -> dict:
    """VADER agreement of the drafts each version of rating_consistency.v1 lets through (in
    plan order, as a run's critic would see them), and the real reviews' own."""
    from reviewgen.core.datasets import Columns, iter_reviews
    from reviewgen.critic_rules.base import CriticContext
    from reviewgen.critic_rules.rating_consistency import RatingConsistencyRule
    from reviewgen.text.aspects import AspectLexicon

    rule, lexicon = RatingConsistencyRule(), AspectLexicon({"battery": ["battery"]})
    pairs = [(t, p.rating) for t, p in zip(texts, plans, strict=True)]
    new = [
        (t, p.rating)
        for t, p in zip(texts, plans, strict=True)
        if rule.check(t, CriticContext(plan=p, lexicon=lexicon)).passed
    ]
    old = [(t, r) for t, r in pairs if _previous_rule_passes(t, r)]
    rows = list(iter_reviews(real, Columns(text="text", rating="rating", product=None)))
    return {
        "drafts": _agreement(texts, [p.rating for p in plans]),
        "previous_rule": _agreement([t for t, _ in old], [r for _, r in old]),
        "new_rule": _agreement([t for t, _ in new], [r for _, r in new]),
        "passed": {"previous_rule": len(old), "new_rule": len(new), "of": len(texts)},
        "real": _agreement([r.text for r in rows], [r.rating or 3 for r in rows]),
    }


def _compare(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in Path(args.drafts).read_text().splitlines() if line]
    rows = [r for r in rows if r["text"].strip()]
    plans = [ReviewPlan.model_validate(r["plan"]) for r in rows]
    real = read_texts(Path(args.real))
    protected = {w.lower() for p in plans for w in p.product.name.split()}
    variants: dict[str, list[str]] = {"raw drafts": [r["text"] for r in rows]}
    variants["previous noise"] = [
        apply_style_noise(r["text"], previous_style(item_rng(p.seed, "style")), rng, protected)[0]
        for r, p in zip(rows, plans, strict=True)
        for rng in [item_rng(p.seed, "noise")]
    ]
    model = default_model()
    variants["slips"] = [
        apply_style_noise(
            r["text"],
            WritingStyle(slips=model.draw(item_rng(p.seed, "slips"), p.rating, r["words"])),
            item_rng(p.seed, "noise"),
            protected,
            conform=True,
        )[0]
        for r, p in zip(rows, plans, strict=True)
    ]
    long_before = sum(r["words_before_continuing"] > LONG for r in rows) / len(rows)
    long_after = sum(r["words"] > LONG for r in rows) / len(rows)
    result: dict = {
        "drafts": len(rows),
        "real": len(real),
        "long_share": {
            "targets": round(sum(p.length_target > LONG for p in plans) / len(rows), 3),
            "before_continuing": round(long_before, 3),
            "after_continuing": round(long_after, 3),
            "real": round(sum(word_count(t) > LONG for t in real) / len(real), 3),
        },
        "agreement_vader": _filtered_agreement(variants["raw drafts"], plans, Path(args.real)),
        "slip_shares": {"real": _shares(real)},
        "stylometry": {},
    }
    for name, texts in variants.items():
        found = gap(texts, real)
        result["stylometry"][name] = {"auc": found["auc"], "top": found["features"][:8]}
        result["slip_shares"][name] = _shares(texts)
        print(f"{name}: stylometric AUC {found['auc']}")
        for row in found["features"][:8]:
            print(f"   {row['feature']}: synthetic {row['synthetic']} real {row['real']}")
    print(json.dumps(result["long_share"]), result["agreement_vader"])
    if args.variants:  # each variant as a dataset for `reviewgen evaluate`
        folder = Path(args.variants)
        folder.mkdir(parents=True, exist_ok=True)
        for name, texts in variants.items():
            with (folder / f"{name.replace(' ', '_')}.jsonl").open("w", encoding="utf-8") as out:
                for text, plan in zip(texts, plans, strict=True):
                    out.write(json.dumps({"text": text, "rating": plan.rating}) + "\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "noise_ab.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    draft = sub.add_parser("draft")
    draft.add_argument("--reference", required=True)
    draft.add_argument("--count", type=int, default=40)
    draft.add_argument("--out", required=True)
    draft.add_argument("--set", action="append", default=[])
    compare = sub.add_parser("compare")
    compare.add_argument("drafts")
    compare.add_argument("--real", required=True)
    compare.add_argument("--variants", help="also write each variant's texts to this folder")
    args = parser.parse_args()
    if args.command == "draft":
        asyncio.run(_draft(args))
    else:
        _compare(args)


if __name__ == "__main__":
    main()
