"""``reviewgen check-config``: validate a config without calling any model."""

from __future__ import annotations

import argparse

from reviewgen.pipeline.components import load_config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check-config", help="validate a config file and exit")
    parser.add_argument("config", help="the config file")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config, args.overrides)
    roles = ", ".join(f"{r}={config.models.for_role(r).label()}" for r in ("writer", "judge"))
    rules = ", ".join(spec.name for spec in config.critic.rules) or "(none)"
    print(
        f"{args.config}: OK ({len(config.category.products)} products, "
        f"{len(config.category.aspects)} aspects; models {roles}; rules {rules})"
    )
    return 0
