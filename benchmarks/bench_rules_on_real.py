"""False failures of every registered critic rule on real reviews: every failure there is false.

Each real review is judged as the pipeline would judge a draft of it: its plan has the review's
own star rating, product and brand, its own word count as the length target and the aspects the
config's lexicon finds in it as the targets; the persona and style are sampled by the persona
agent (``markup.v1`` compares a draft with them). Rules take the default config's params where
it lists them, their own defaults otherwise, and see the reviews in file order through one
instance each, as a run's drafts (``rating_consistency.v1`` counts what it has let through).
Rules that call a model are skipped; a verdict that says ``skipped`` or ``warming_up`` (
``realism.v1`` without a reference) counts as not judged. A few non-default settings the docs
compare with (``VARIANTS``) run as extra rows. Each rate comes with its 95% Wilson interval.
Writes ``results/rules_on_real.json`` (counts only, no review text); ``--show N`` prints N
failures per rule.

    .venv/bin/python benchmarks/bench_rules_on_real.py [REVIEWS.csv] [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scipy.stats import binomtest

from common import REAL_REVIEWS, save
from reviewgen.agents.persona import Calibration, PersonaAgent
from reviewgen.chains.writer import PROMPT_HEADERS
from reviewgen.core.datasets import Columns, iter_reviews
from reviewgen.core.registry import critic_rules
from reviewgen.core.schemas import Product
from reviewgen.critic_rules.base import CriticContext, CriticRule
from reviewgen.pipeline.components import build_rules, load_config
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.words import word_count

NOT_JUDGED = ("skipped", "warming_up")
# "pleased.It": two sentences without a space, which a URL detector may read as a domain.
SENTENCE_JOIN = re.compile(r"[A-Za-z]+\.[A-Z][a-z]*")
CATEGORICAL = ("kinds", "categories")
# Settings the docs compare with the defaults (docs/CRITIC_RULES.md): names allowed or not, and
# how many words in a row from the writer's prompts make an echo.
VARIANTS = (
    ("pii.v1", {"reject": ["email", "phone", "url", "card", "address", "person"]}),
    ("markup.v1", {"echo_words": 5}),
    ("markup.v1", {"echo_words": 4}),
    ("markup.v1", {"echo_words": 3}),
)
QUIET = ("spans", "tells", "last_token")  # text, or a detail another label already counts
COLUMNS = (
    "false_failures",
    "false_failure_rate",
    "ci95",
    "rate_by_stars",
    "failures_by_detail",
    "ms_per_review",
    "not_judged_because",
)


def interval(hits: int, n: int) -> list[float]:
    ci = binomtest(hits, n).proportion_ci(0.95, method="wilson")
    return [round(float(ci.low), 5), round(float(ci.high), 5)]


def labels(details: dict[str, Any]) -> list[str]:
    """What a failure was about, from its details, without review text: the items of
    ``kinds`` / ``categories``, the keys of a dict (``contradictions``), the ``direction``
    asked for, and the names of the other details that are set."""
    found = []
    for key, value in details.items():
        if key in QUIET:
            continue
        if key == "direction":
            found.append(f"direction={value}")
        elif key in CATEGORICAL:
            found += [f"{key}={v}" for v in value]
        elif isinstance(value, dict):
            found += [f"{key}={k}" for k in value]
        elif value is True or (isinstance(value, list | str) and value):
            found.append(key)
    spans = details.get("spans") or []
    if spans and all(s["kind"] == "url" and SENTENCE_JOIN.fullmatch(s["text"]) for s in spans):
        found.append("url spans that are sentence joins")
    return found


def rules_to_run(config) -> list[tuple[str, CriticRule]]:
    """Every registered rule once, with the config's params when it lists the rule, then the
    variants (labelled with their params)."""
    listed = {rule.name: rule for rule in build_rules(config.critic.rules)}
    checks = [(n, listed.get(n) or cls(name=n)) for n, cls in critic_rules.items().items()]
    for name, values in VARIANTS:
        where = f"variant {name}"
        params = critic_rules.params(name, values, name_at=where, params_at=where)
        label = f"{name} {json.dumps(values, separators=(',', ':'))}"
        checks.append((label, critic_rules.get(name)(params, name=name)))
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reviews", nargs="?", type=Path, default=REAL_REVIEWS)
    parser.add_argument("--show", type=int, default=0, help="print this many failures per rule")
    args = parser.parse_args()
    if not args.reviews.exists():
        print(f"skipped: no real reviews at {args.reviews}", file=sys.stderr)
        return 0
    columns = Columns(text="text", rating="rating", product="product", id=None)
    rows = [r for r in iter_reviews(args.reviews, columns) if r.rating is not None]
    config = load_config(None, [])
    agent = PersonaAgent(config, Calibration())
    lexicon = AspectLexicon(config.category.aspects)
    checks = rules_to_run(config)
    judged: Counter[str] = Counter()
    failed: dict[str, list[int]] = {label: [] for label, _ in checks}
    reasons: dict[str, Counter[str]] = {label: Counter() for label, _ in checks}
    by_stars: dict[str, Counter[int]] = {label: Counter() for label, _ in checks}
    seconds: Counter[str] = Counter()
    for index, row in enumerate(rows):
        sampled = agent.plan(index, row.rating, config.run.seed)
        plan = sampled.model_copy(
            update={
                "rating": row.rating,
                "product": Product(name=row.product or "", brand=str(row.extra.get("brand", ""))),
                "length_target": max(1, word_count(row.text)),
                "aspects": sorted(lexicon.mentions(row.text)),
            }
        )
        context = CriticContext(
            plan=plan,
            lexicon=lexicon,
            category_noun=config.category.noun,
            prompt_headers=PROMPT_HEADERS,
        )
        for label, rule in checks:
            if rule.needs_model:
                continue
            started = time.perf_counter()
            verdict = rule.check(row.text, context)
            seconds[label] += time.perf_counter() - started
            if any(key in verdict.details for key in NOT_JUDGED):
                continue
            judged[label] += 1
            if not verdict.passed:
                failed[label].append(index)
                reasons[label].update(labels(verdict.details))
                by_stars[label][row.rating] += 1
                if len(failed[label]) <= args.show:
                    shown = f"{label} #{index} {row.rating}* {verdict.details}"
                    print(f"{shown}: {row.text[:200]!r}")
    stars_total = Counter(row.rating for row in rows)
    results = []
    for label, rule in checks:
        n, hits = judged[label], len(failed[label])
        entry: dict[str, Any] = {"rule": label, "reviews": len(rows), "judged": n}
        entry |= dict.fromkeys(COLUMNS, "")
        if rule.needs_model:
            entry["not_judged_because"] = "it calls a model"
        elif n == 0:
            entry["not_judged_because"] = "it judged no real review (it needs a reference)"
        else:
            entry |= {
                "false_failures": hits,
                "false_failure_rate": round(hits / n, 5),
                "ci95": interval(hits, n),
                "rate_by_stars": {
                    s: round(by_stars[label][s] / stars_total[s], 4) for s in sorted(stars_total)
                },
                "failures_by_detail": dict(reasons[label].most_common()),
                "ms_per_review": round(1000 * seconds[label] / len(rows), 3),
            }
        results.append(entry)
    defaults = [failed[label] for label, _ in checks if label in critic_rules.items()]
    any_failed = set().union(*defaults)
    results.append(
        {"rule": "any rule at its defaults", "reviews": len(rows), "judged": len(rows)}
        | dict.fromkeys(COLUMNS, "")
        | {
            "false_failures": len(any_failed),
            "false_failure_rate": round(len(any_failed) / len(rows), 5),
            "ci95": interval(len(any_failed), len(rows)),
        }
    )
    save("rules_on_real", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
