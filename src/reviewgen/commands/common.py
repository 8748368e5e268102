"""Options shared by several commands."""

from __future__ import annotations

import argparse

from reviewgen.core.config import Config
from reviewgen.pipeline.components import load_config


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", "-c", default=None, help="config file (default: the packaged config.yaml)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. writer.exemplars=2",
    )


def config_from(args: argparse.Namespace) -> Config:
    return load_config(args.config, args.overrides)
