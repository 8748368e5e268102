"""``reviewgen combine``: merge datasets with a source column, minus cross-set near-duplicates."""

from __future__ import annotations

import argparse
from typing import Any

from reviewgen.augment.cli_args import add_column_args, columns_from, similarity


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "combine",
        help="merge datasets, dropping rows that near-duplicate an earlier dataset",
        description="Merge datasets in the order given into one file with a source column. "
        "A row within the similarity threshold of a row from an earlier dataset is dropped.",
    )
    parser.add_argument("inputs", nargs="+", metavar="[NAME=]PATH", help="datasets to merge")
    parser.add_argument("--out", required=True, help="output .jsonl or .csv")
    parser.add_argument(
        "--threshold", type=similarity, default=0.8, help="near-duplicate similarity (0-1]"
    )
    parser.add_argument("--embedder", default="hashing.v1", help="registered embedder name")
    parser.add_argument("--removed", help="also write the dropped rows here (.jsonl/.csv)")
    add_column_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reviewgen.augment.combine import combine_files

    report = combine_files(
        args.inputs,
        args.out,
        columns=columns_from(args),
        threshold=args.threshold,
        embedder=args.embedder,
        removed_path=args.removed,
    )
    print(f"wrote {sum(report.kept.values())} reviews to {args.out}")
    print("| source | kept | removed as near-duplicates |\n| --- | ---: | ---: |")
    for name in report.kept:
        print(f"| {name} | {report.kept[name]} | {report.removed[name]} |")
    return 0
