"""How the realism-minded critic rules treat real reviews (and a run's drafts).

``rating_consistency.v1``: the share of real reviews per star rating whose tone (VADER and
reviewgen's own lexicon) disagrees with the stars, which the rule lets through; with
``--write-defaults`` these shares become the rule's shipped defaults
(``src/reviewgen/data/agreement_rates.json``, numbers only). ``coherence.v1``: the share of
real reviews each of its checks would fail (false failures: real reviews are the ground truth
of what passes), and with ``--run DIR`` the share of that run's accepted reviews and rejected
drafts it fails. Writes ``benchmarks/results/realism_rules.json``.

    PYTHONPATH=src python benchmarks/bench_realism_rules.py [REVIEWS.csv] [--run DIR]
        [--write-defaults]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from common import REAL_REVIEWS, save
from reviewgen.core.config import read_config
from reviewgen.core.datasets import Columns, iter_reviews
from reviewgen.core.schemas import Persona, Product, ReviewPlan, WritingStyle
from reviewgen.critic_rules.base import CriticContext
from reviewgen.critic_rules.coherence import CoherenceRule
from reviewgen.critic_rules.rating_consistency import DEFAULT_SHARES, measure_shares, tone
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.polarity import polarity
from reviewgen.text.sentiment import agrees_with_rating, compound

PERSONA = Persona(
    age_band="35-44",
    occupation="teacher",
    tech_savviness="medium",
    usage="calls and texts",
    budget="moderate",
    priorities={},
    style=WritingStyle(),
)


def context(lexicon: AspectLexicon, rating: int, product: Product) -> CriticContext:
    plan = ReviewPlan(
        index=0,
        seed=0,
        persona=PERSONA,
        product=product,
        rating=rating,
        aspects=[],
        length_target=30,
    )
    return CriticContext(plan=plan, lexicon=lexicon, category_noun="phone")


def coherence_failures(
    rule: CoherenceRule, items: list[tuple[str, int, Product]], lexicon: AspectLexicon, show: int
) -> tuple[int, Counter[str]]:
    """Failed items and failures per check; ``show`` failures are printed (never saved)."""
    by_check: Counter[str] = Counter()
    failed = 0
    for text, rating, product in items:
        verdict = rule.check(text, context(lexicon, rating, product))
        if not verdict.passed:
            failed += 1
            by_check.update(list(verdict.details["contradictions"]))
            if failed <= show:
                print(f"[{rating}* {verdict.details['contradictions']}] {text[:300]}")
    return failed, by_check


def _run_items(run: Path) -> dict[str, list[tuple[str, int, Product]]]:
    """A run directory's accepted reviews, or the drafts ``bench_noise_ab.py draft`` wrote."""
    if run.is_dir():
        path, part = run / "reviews.jsonl", "accepted"
    else:
        path, part = run, "drafts"
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            record = record.get("plan", record)  # a draft carries its plan
            text = json.loads(line)["text"]
            items.append((text, record["rating"], Product(**record["product"])))
    return {part: items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reviews", nargs="?", type=Path, default=REAL_REVIEWS)
    parser.add_argument(
        "--run", type=Path, help="a run directory (or drafts.jsonl) to check as well"
    )
    parser.add_argument("--write-defaults", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print this many failures")
    args = parser.parse_args()
    columns = Columns(text="text", rating="rating", product="product")
    rows = [r for r in iter_reviews(args.reviews, columns) if r.rating is not None]
    reviews = [(r.text, r.rating) for r in rows]
    shares = measure_shares(reviews)
    results = []
    for name, score in (("vader", compound), ("lexicon", polarity), ("tone", tone)):
        votes = [agrees_with_rating(score(t), r) for t, r in reviews]
        counted = [v for v in votes if v is not None]
        results.append(
            {"measure": f"agreement ({name})", "value": round(sum(counted) / len(counted), 4)}
        )
    for stars, share in shares.items():
        results.append({"measure": f"{stars}* mixed share", "value": share["mixed"]})
        results.append({"measure": f"{stars}* opposite share", "value": share["opposite"]})
    lexicon = AspectLexicon(read_config().category.aspects)
    rule = CoherenceRule()
    items = [(r.text, r.rating, Product(name=r.product or "", brand=str(r.extra.get("brand", ""))))
             for r in rows]  # fmt: skip
    failed, by_check = coherence_failures(rule, items, lexicon, args.show)
    results.append({"measure": "coherence.v1 fails real", "value": round(failed / len(items), 4)})
    for check in ("aspect", "verdict", "stars", "product", "units"):
        results.append(
            {
                "measure": f"coherence.v1 {check} fails real",
                "value": round(by_check[check] / len(items), 4),
            }
        )
    if args.run:
        for part, run_items in _run_items(args.run).items():
            failed, by_check = coherence_failures(rule, run_items, lexicon, args.show)
            results.append(
                {
                    "measure": f"coherence.v1 fails run {part} (n={len(run_items)})",
                    "value": round(failed / max(len(run_items), 1), 4),
                }
            )
    results.append({"measure": "real reviews", "value": len(rows)})
    save("realism_rules", results)
    if args.write_defaults:
        data = {"measured_on": "shared real phone reviews (dev split)", "shares": shares}
        DEFAULT_SHARES.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_SHARES}")


if __name__ == "__main__":
    main()
