"""``reviewgen augment``: noisy, paraphrased or back-translated copies of a dataset."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from reviewgen.augment.cli_args import (
    add_column_args,
    columns_from,
    comma_list,
    positive_int,
    similarity,
)
from reviewgen.commands.common import add_config_options, config_from
from reviewgen.core.errors import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "augment",
        help="augment a dataset (typos, synonyms, back-translation) with lineage",
        description="Write augmented copies of each review, each marked synthetic, with its "
        "parent id, the ops and their parameters, and the seed. Outputs within the duplicate "
        "threshold of their parent are flagged near_parent.",
    )
    parser.add_argument(
        "input", help="reviewgen JSONL, or any CSV/JSONL/Parquet with a text column"
    )
    parser.add_argument("--ops", required=True, help="comma-separated ops, e.g. typos,synonyms")
    parser.add_argument("--out", required=True, help="output .jsonl or .csv")
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="OP.KEY=VALUE",
        help="op parameter, value as YAML (e.g. typos.rate=0.08, backtranslate.pivot=German)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--variants", type=positive_int, default=1, help="augmented copies per review"
    )
    parser.add_argument("--limit", type=positive_int, help="read at most this many reviews")
    parser.add_argument(
        "--protect", default="", help="extra comma-separated words/phrases never to edit"
    )
    add_config_options(parser)
    parser.add_argument(
        "--threshold", type=similarity, default=0.8, help="near-parent similarity (0-1]"
    )
    parser.add_argument(
        "--drop-near-parent", action="store_true", help="leave out outputs flagged near_parent"
    )
    parser.add_argument("--cache-dir", help="model answer cache (default ~/.cache/reviewgen)")
    add_column_args(parser)
    parser.set_defaults(func=run)


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    params: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        op, dot, name = key.strip().rpartition(".")
        if not sep or not dot or not op or not name:
            raise ConfigError(f"--param {item!r}: expected OP.KEY=VALUE, e.g. typos.rate=0.08")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        params.setdefault(op, {})[name] = value
    return params


def run(args: argparse.Namespace) -> int:
    from reviewgen.augment.llm import AnswerCache
    from reviewgen.augment.runner import augment_file, build_steps, protected_from_config
    from reviewgen.core.cache import default_cache_dir

    config = config_from(args)

    def model_factory() -> Any:
        from reviewgen.models.providers import build_model

        return build_model(config.models.for_role("writer"))

    cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    cache = AnswerCache(cache_dir / "augment_answers.sqlite")
    try:
        steps = build_steps(
            comma_list(args.ops),
            parse_params(args.param),
            protected=protected_from_config(config) | set(comma_list(args.protect)),
            model_factory=model_factory,
            cache=cache,
        )
        report = augment_file(
            args.input,
            args.out,
            steps,
            seed=args.seed,
            variants=args.variants,
            columns=columns_from(args),
            limit=args.limit,
            threshold=args.threshold,
            drop_near_parent=args.drop_near_parent,
        )
    finally:
        cache.close()
    near = "left out" if args.drop_near_parent else "flagged"
    print(
        f"wrote {report.records} augmented reviews from {report.parents} to {args.out}; "
        f"{report.near_parent} near their parent (similarity >= {args.threshold}, {near}), "
        f"{report.duplicates} duplicating another record, "
        f"{report.unchanged} skipped (no op changed the text)"
    )
    for name, count in sorted(report.changes.items()):
        print(f"  {name}: {count}")
    return 0
