"""``reviewgen scrub``: replace personal data with placeholders or realistic fakes."""

from __future__ import annotations

import argparse
from typing import Any

from reviewgen.augment.cli_args import add_column_args, columns_from, comma_list, positive_int
from reviewgen.text.pii import KINDS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scrub",
        help="anonymise e-mails, phones, URLs, addresses, cards and names",
        description="Detect personal data and replace it with typed placeholders ([EMAIL], "
        "[PHONE], ...) or seeded fakes; prints what was replaced, by kind.",
    )
    parser.add_argument(
        "input", help="reviewgen JSONL, or any CSV/JSONL/Parquet with a text column"
    )
    parser.add_argument("--out", required=True, help="output .jsonl or .csv")
    parser.add_argument("--mode", choices=["placeholder", "fake"], default="placeholder")
    parser.add_argument("--kinds", default=",".join(KINDS), help="kinds to replace (default all)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --mode fake")
    parser.add_argument("--limit", type=positive_int, help="read at most this many reviews")
    add_column_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reviewgen.augment.scrub import scrub_file

    report = scrub_file(
        args.input,
        args.out,
        mode=args.mode,
        kinds=comma_list(args.kinds),
        seed=args.seed,
        columns=columns_from(args),
        limit=args.limit,
    )
    print(f"scrubbed {report.records} reviews ({report.changed} changed) into {args.out}")
    print("| kind | replaced |\n| --- | ---: |")
    for kind in KINDS:
        print(f"| {kind} | {report.counts.get(kind, 0)} |")
    return 0
