"""Command-line options shared by ``augment``, ``scrub`` and ``combine``."""

from __future__ import annotations

import argparse

from reviewgen.core.datasets import Columns


def add_column_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input columns (CSV/JSONL/Parquet)")
    group.add_argument("--text-col", default="text", help="column with the review text")
    group.add_argument("--rating-col", default="rating", help="star rating column ('' for none)")
    group.add_argument("--product-col", default="product", help="product column ('' for none)")
    group.add_argument("--id-col", default="id", help="id column ('' for none: row numbers)")


def columns_from(args: argparse.Namespace) -> Columns:
    return Columns(
        text=args.text_col,
        rating=args.rating_col or None,
        product=args.product_col or None,
        id=args.id_col or None,
    )


def comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return number


def similarity(value: str) -> float:
    number = float(value)
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return number
