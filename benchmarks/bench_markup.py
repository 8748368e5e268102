"""False failures of ``markup.v1`` on real reviews: every failure there is a false one.

Each of the real reviews in ``../shared/data/`` is checked against a plan the persona agent
samples for it (the echo check compares a draft with its plan's persona and style), with the
default config. Writes ``results/markup.json`` and prints what failed.

    cd benchmarks && ../.venv/bin/python bench_markup.py
"""

from __future__ import annotations

import csv
import sys
import time

from common import REAL_REVIEWS, save
from reviewgen.agents.persona import Calibration, PersonaAgent
from reviewgen.critic_rules.base import CriticContext
from reviewgen.critic_rules.markup import MarkupRule
from reviewgen.pipeline.components import load_config
from reviewgen.text.aspects import AspectLexicon


def main() -> int:
    if not REAL_REVIEWS.exists():
        print(f"no real reviews at {REAL_REVIEWS}", file=sys.stderr)
        return 1
    with REAL_REVIEWS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    config = load_config(None, [])
    agent = PersonaAgent(config, Calibration())
    lexicon = AspectLexicon(config.category.aspects)
    rule = MarkupRule()
    failures = []
    started = time.perf_counter()
    for index, row in enumerate(rows):
        plan = agent.plan(index, int(row["rating"]), config.run.seed, 0)
        verdict = rule.check(row["text"], CriticContext(plan=plan, lexicon=lexicon))
        if not verdict.passed:
            failures.append((index, {k: v for k, v in verdict.details.items()}, row["text"]))
    seconds = time.perf_counter() - started
    for index, details, text in failures:
        print(f"#{index} {details}: {text[:160]!r}")
    save(
        "markup",
        [
            {
                "reviews": len(rows),
                "false_failures": len(failures),
                "false_failure_rate": round(len(failures) / len(rows), 5),
                "ms_per_review": round(1000 * seconds / len(rows), 3),
            }
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
