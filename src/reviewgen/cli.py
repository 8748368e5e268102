"""``reviewgen`` command line: one subcommand per module in ``reviewgen.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys

from reviewgen import __version__
from reviewgen.errors import ReviewgenError

COMMANDS = [
    "generate",
    "check_config",
    "components",
    "graph",
    "evaluate",
    "augment",
    "scrub",
    "combine",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewgen",
        description="Generate realistic synthetic reviews (marked synthetic) and measure them.",
    )
    parser.add_argument("--version", action="version", version=f"reviewgen {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"reviewgen.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ReviewgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
