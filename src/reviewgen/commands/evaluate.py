"""``reviewgen evaluate``: score synthetic reviews against real ones and write the report."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from reviewgen.augment.cli_args import add_column_args, columns_from
from reviewgen.commands.common import add_config_options, config_from
from reviewgen.core.errors import ConfigError

EPILOG = """\
gates (exit code 1 when one fails; the report is written first):
  --fail-under METRIC=VALUE   fail when METRIC is below VALUE, e.g. detection_score=0.4
  --fail-over METRIC=VALUE    fail when METRIC is above VALUE, e.g. auc=0.85
  --fail-on fail|warn         fail when a score-card check has that status (warn: or worse)
  A metric that could not be computed (not enough data) fails its gate.
  METRIC is a key of "summary" in metrics.json, e.g. detector_auc_worst (= auc: the worst
  detector family), auc_stylometric, words_ks, long_review_gap, sentiment_agreement_gap,
  distinct_2_ratio, assistant_phrase_ratio, near_copy_rate, tstr_f1_ratio, pii_rate
  (docs/EVALUATION.md lists them all).

independence: when SYNTHETIC is a reviewgen output, its run.json says which critic rules
  filtered the drafts; a metric measured with the same tool is marked "also used as a filter
  in this run: not independent", and real reviews the generator saw in its reference are
  counted (a warning when there are any).

example:
  reviewgen evaluate out/ --reference real.csv --out report/ --fail-over auc=0.9
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure how real, varied, useful and safe a synthetic set is",
        description="Compare synthetic reviews with real ones: shape, sentiment, topics, "
        "realism (four detector families: TF-IDF + logistic regression, naive Bayes, "
        "stylometric boosting, a zero-shot language-model criterion; the worst is the "
        "headline), diversity, stock phrases, copies of real reviews, utility (train synthetic, "
        "test real) and personal data. Writes metrics.json, report.html and DATASET_CARD.md.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "synthetic",
        metavar="SYNTHETIC",
        help="a reviewgen output directory or reviews.jsonl, or any CSV/JSONL/Parquet",
    )
    parser.add_argument("--reference", required=True, metavar="REAL", help="real reviews")
    parser.add_argument(
        "--holdout",
        metavar="REAL2",
        help="other real reviews for the memorisation and utility checks "
        "(default: a seeded --holdout-share of --reference)",
    )
    parser.add_argument(
        "--run-holdout",
        action="store_true",
        help="keep only the --reference reviews the run held out of its reference "
        "(run.json reference.holdout_fraction): real reviews the generator never read",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="report directory")
    add_config_options(parser)
    options = parser.add_argument_group("evaluation")
    options.add_argument(
        "--dup-threshold",
        type=float,
        help="cosine at or above which reviews are near-duplicates (default: config store)",
    )
    options.add_argument(
        "--max-sample",
        type=int,
        default=10_000,
        help="reviews per set sampled for the heavier checks (default 10000)",
    )
    options.add_argument("--holdout-share", type=float, default=0.2)
    options.add_argument("--seed", type=int, default=0)
    options.add_argument("--limit", type=int, help="read at most this many rows per file")
    options.add_argument(
        "--no-zero-shot",
        action="store_true",
        help="skip the zero-shot detector (the slowest: about a second per review on one core)",
    )
    options.add_argument(
        "--zero-shot-model",
        default="smollm2-135m-instruct",
        metavar="MODEL",
        help="llama.cpp model scoring the zero-shot detector: a packaged name or a .gguf file "
        "(default smollm2-135m-instruct; use one that did not write the reviews)",
    )
    options.add_argument(
        "--zero-shot-max",
        type=int,
        default=300,
        metavar="N",
        help="reviews per set the zero-shot detector scores (default 300)",
    )
    options.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes for the checks (default: up to 2)",
    )
    gates = parser.add_argument_group("gates")
    gates.add_argument("--fail-under", action="append", default=[], metavar="METRIC=VALUE")
    gates.add_argument("--fail-over", action="append", default=[], metavar="METRIC=VALUE")
    gates.add_argument("--fail-on", choices=["fail", "warn"])
    add_column_args(parser)
    parser.add_argument(
        "--study",
        metavar="STUDY_DIR",
        help="a `reviewgen rate` study of this dataset: its results (people and model raters "
        "apart) become a section of report.html and `human_study` in metrics.json",
    )
    parser.add_argument(
        "--synthetic-text-col", help="text column of SYNTHETIC if it differs from --text-col"
    )
    parser.add_argument(
        "--synthetic-rating-col",
        help="rating column of SYNTHETIC if it differs from --rating-col ('' for none)",
    )
    parser.set_defaults(func=run)


def _study_report(directory: str) -> dict[str, Any]:
    """The study's report computed from its database now, so its counts match the answers."""
    from reviewgen.study.stats import build_report
    from reviewgen.study.store import Study

    study = Study.open(directory)
    return build_report(study.rows(), study.meta())


def family_line(realism: dict[str, Any]) -> str:
    """``tfidf_lr 0.71, naive_bayes 0.70, stylometric 0.84, zero_shot skipped``."""
    families = realism.get("families", {})
    if not families:
        return realism.get("reason", "not computed")
    return ", ".join(
        f"{name} {family['auc']:.3f}"
        if family.get("status") == "ok"
        else f"{name} {family.get('status')}"
        for name, family in families.items()
    )


def run_holdout(run_info: dict[str, Any] | None, run_source: str) -> float:
    """The run's ``reference.holdout_fraction`` for ``--run-holdout``."""
    from reviewgen.evaluation.independence import run_reference

    if run_info is None:
        raise ConfigError(f"--run-holdout needs the run's run.json: {run_source}")
    fraction = run_reference(run_info).holdout_fraction
    if not fraction:
        raise ConfigError(
            f"--run-holdout: {run_source} records no held-out part "
            "(generate with reference.holdout_fraction above 0)"
        )
    return fraction


def run(args: argparse.Namespace) -> int:
    from reviewgen.evaluation import (
        EvaluationOptions,
        ReviewSource,
        evaluate,
        load_run_info,
        parse_gate,
        write_report,
    )

    gates = [parse_gate(g, under=True) for g in args.fail_under]
    gates += [parse_gate(g, under=False) for g in args.fail_over]
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {args.limit}")
    config = config_from(args)
    options = EvaluationOptions(
        seed=args.seed,
        max_sample=args.max_sample,
        dup_threshold=(
            config.store.threshold if args.dup_threshold is None else args.dup_threshold
        ),
        embedder=config.store.embedder.name,
        embedder_params=config.store.embedder.params,
        holdout_share=args.holdout_share,
        aspects=config.category.aspects,
        workers=args.workers,
        zero_shot=not args.no_zero_shot,
        zero_shot_model=args.zero_shot_model,
        zero_shot_max=args.zero_shot_max,
    )
    columns = columns_from(args)
    synthetic_columns = replace(
        columns,
        text=args.synthetic_text_col or columns.text,
        rating=(
            columns.rating
            if args.synthetic_rating_col is None
            else args.synthetic_rating_col or None
        ),
    )
    study = _study_report(args.study) if args.study else None
    run_info, run_source = load_run_info(args.synthetic)
    held_out_of = run_holdout(run_info, run_source) if args.run_holdout else None
    result = evaluate(
        ReviewSource(Path(args.synthetic), synthetic_columns, args.limit),
        ReviewSource(Path(args.reference), columns, args.limit, held_out_of),
        None if args.holdout is None else ReviewSource(Path(args.holdout), columns, args.limit),
        options,
        run_info=run_info,
        run_source=run_source,
    )
    sections = []
    if study is not None:
        from reviewgen.study.report_html import render_section

        result.metrics["human_study"] = study
        sections.append(render_section(study))
    paths = write_report(
        result, args.out, run_info=run_info, run_source=run_source, extra_sections=sections
    )
    for warning in result.metrics["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"overall: {result.overall}")
    for row in result.scorecard:
        value = "n/a" if row["value"] is None else f"{row['value']:g}"
        note = f"  [{row['note']}]" if row["note"] else ""
        print(f"  {row['status']:<4}  {row['check']:<18} {row['metric']} = {value}{note}")
    print("  detector families: " + family_line(result.metrics["realism"]))
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    failures = result.gate_failures(gates, args.fail_on)
    for failure in failures:
        print(f"gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0
