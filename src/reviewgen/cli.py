"""``reviewgen`` command line: one subcommand per module in ``reviewgen.commands``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from reviewgen import __version__
from reviewgen.core.errors import ReviewgenError

COMMANDS = [
    "generate",
    "check_config",
    "components",
    "graph",
    "evaluate",
    "augment",
    "scrub",
    "combine",
    "rate",
    "tune",
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
    except Exception as exc:
        # Provider errors can quote the request's key; a traceback would print it.
        if os.environ.get("REVIEWGEN_DEBUG"):
            raise
        from reviewgen.core.secrets import redact

        print(f"error: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
        print(
            "(accepted reviews are on disk; REVIEWGEN_DEBUG=1 shows the traceback)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
