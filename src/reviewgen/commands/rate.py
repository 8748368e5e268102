"""``reviewgen rate``: a blind real-or-synthetic study with people (local web page) or a model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reviewgen.augment.cli_args import add_column_args, columns_from, positive_int
from reviewgen.commands.common import add_config_options, config_from
from reviewgen.core.errors import ConfigError

EPILOG = """\
create a study and serve it (prints one private link per rater):
  reviewgen rate out/ --reference real.csv --out study/ --raters 3
serve it again, add a rater, let a model take it, report, export:
  reviewgen rate study/ --serve
  reviewgen rate study/ --add-rater dana
  reviewgen rate study/ --rater-model openai:gpt-4.1-mini
  reviewgen rate study/ --report --out-json study_report.json
  reviewgen rate study/ --export-csv answers.csv --export-label-studio tasks.json
  reviewgen rate answers.csv --import --out study2/
docs/STUDY.md explains the statistics and the export formats.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rate",
        help="blind real-or-synthetic rating study (local web page for people, or a model)",
        description="Show people (or a model) a shuffled, balanced sample of synthetic and real "
        "reviews, one at a time, and ask which is which. SOURCE is the synthetic dataset when "
        "creating a study, or an existing study directory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", metavar="SOURCE", help="synthetic dataset, or study directory")
    create = parser.add_argument_group("create a study")
    create.add_argument("--reference", metavar="REAL", help="real reviews (CSV/JSONL/Parquet)")
    create.add_argument("--out", metavar="DIR", help="new study directory")
    create.add_argument(
        "--per-rater",
        type=positive_int,
        default=40,
        metavar="N",
        help="reviews each rater sees, half of each source (even; default 40)",
    )
    who = create.add_mutually_exclusive_group()
    who.add_argument("--raters", type=positive_int, metavar="N", help="N raters (rater-1...)")
    who.add_argument("--rater", action="append", metavar="NAME", help="a named rater (repeat)")
    create.add_argument("--seed", type=int, default=0, help="seed of the sample and the orders")
    create.add_argument("--no-serve", action="store_true", help="create only, do not serve")
    create.add_argument(
        "--import",
        dest="import_csv",
        action="store_true",
        help="SOURCE is a CSV from --export-csv: create the study in --out from it",
    )
    serving = parser.add_argument_group("serve")
    serving.add_argument("--serve", action="store_true", help="serve an existing study")
    serving.add_argument("--host", default="127.0.0.1", help="address to bind (default local)")
    serving.add_argument("--port", type=int, default=8765, help="default 8765")
    existing = parser.add_argument_group("an existing study")
    existing.add_argument(
        "--add-rater", action="append", default=[], metavar="NAME", help="a new person (repeat)"
    )
    existing.add_argument(
        "--rater-model", metavar="PROVIDER:MODEL", help="a model answers the study (see --set)"
    )
    existing.add_argument("--report", action="store_true", help="print and write the report")
    existing.add_argument(
        "--out-json", metavar="FILE", help="report JSON (default STUDY/report.json)"
    )
    existing.add_argument("--export-csv", metavar="FILE", help="every assignment and answer")
    existing.add_argument("--export-label-studio", metavar="FILE", help="Label Studio tasks")
    existing.add_argument("--export-argilla", metavar="FILE", help="Argilla records")
    add_config_options(parser)
    add_column_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reviewgen.study.store import DB_NAME

    source = Path(args.source)
    if args.import_csv:
        return _import(args, source)
    if (source / DB_NAME).is_file():
        return _existing(args, source)
    return _create(args, source)


def _check_port(args: argparse.Namespace, serving: bool) -> None:
    """A busy port is an error before anything is written, not after."""
    from reviewgen.study.app import check_port_free

    if serving:
        check_port_free(args.host, args.port)


def _print_links(study: Any, args: argparse.Namespace) -> None:
    from reviewgen.study.app import links

    for name, url in links(study, args.host, args.port):
        print(f"  {name}: {url}")


def _serve(study: Any, args: argparse.Namespace) -> None:
    from reviewgen.study.app import serve

    print(f"serving on http://{args.host}:{args.port} (Ctrl+C stops; answers are saved)")
    serve(study, args.host, args.port)


def _create(args: argparse.Namespace, source: Path) -> int:
    from reviewgen.study.create import create_study

    if args.reference is None or args.out is None:
        raise ConfigError(
            f"{source} is not a study directory; to create one give --reference REAL and --out DIR"
        )
    _check_port(args, not args.no_serve)
    raters = args.rater or [f"rater-{i}" for i in range(1, (args.raters or 1) + 1)]
    study = create_study(
        source,
        args.reference,
        args.out,
        per_rater=args.per_rater,
        raters=raters,
        seed=args.seed,
        columns=columns_from(args),
    )
    print(
        f"study: {args.per_rater} reviews (half synthetic) for {len(raters)} rater(s) in {args.out}"
    )
    _print_links(study, args)
    if not args.no_serve:
        _serve(study, args)
    return 0


def _import(args: argparse.Namespace, source: Path) -> int:
    from reviewgen.study.export import import_csv

    if args.out is None:
        raise ConfigError("--import needs --out DIR for the new study")
    study = import_csv(source, args.out, seed=args.seed)
    print(f"imported {source} into {args.out}")
    _print_links(study, args)
    return 0


def _existing(args: argparse.Namespace, source: Path) -> int:
    from reviewgen.study.store import Study

    if args.reference is not None:
        raise ConfigError(f"{source} is a study already; drop --reference (or choose a dataset)")
    study = Study.open(source)
    _check_port(args, args.serve)
    for name in args.add_rater:
        study.add_rater(name)
        print(f"added rater {name}")
    if args.rater_model:
        _rate_with_model(study, args)
    _export(study, args)
    if args.report:
        _report(study, args, source)
    if args.serve:
        _print_links(study, args)
        _serve(study, args)
    elif not (args.add_rater or args.rater_model or args.report or _exports(args)):
        _status(study, args)
    elif args.add_rater:
        _print_links(study, args)
    return 0


def _exports(args: argparse.Namespace) -> list[str]:
    return [f for f in (args.export_csv, args.export_label_studio, args.export_argilla) if f]


def _export(study: Any, args: argparse.Namespace) -> None:
    from reviewgen.study.export import argilla_records, export_csv, label_studio_tasks, write_json

    if args.export_csv:
        print(f"wrote {export_csv(study, args.export_csv)} rows to {args.export_csv}")
    if args.export_label_studio:
        write_json(label_studio_tasks(study), args.export_label_studio)
        print(f"wrote Label Studio tasks to {args.export_label_studio}")
    if args.export_argilla:
        write_json(argilla_records(study), args.export_argilla)
        print(f"wrote Argilla records to {args.export_argilla}")


def _status(study: Any, args: argparse.Namespace) -> None:
    for rater in study.raters():
        progress = study.progress(rater)
        print(f"  {rater.kind:<6} {rater.name}: {progress.done} / {progress.total}")
    print("people's links (--serve to serve them):")
    _print_links(study, args)


def _rate_with_model(study: Any, args: argparse.Namespace) -> None:
    from reviewgen.models.providers import build_model
    from reviewgen.study.model_rater import rate_with_model

    provider, _, name = args.rater_model.partition(":")
    if not provider or not name:
        raise ConfigError(f"--rater-model {args.rater_model!r}: expected PROVIDER:MODEL")
    # As overrides of models.default, so its options are checked against this provider.
    args.overrides = [
        *args.overrides,
        f"models.default.provider={json.dumps(provider)}",  # quoted: values are read as YAML
        f"models.default.model={json.dumps(name)}",
    ]
    spec = config_from(args).models.default

    def progress(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            print(f"  {done} / {total}", file=sys.stderr)

    run = rate_with_model(study, build_model(spec), spec.label(), progress=progress)
    print(f"model rater {run.rater}: {run.answered} answered, {run.unreadable} unreadable")


def _report(study: Any, args: argparse.Namespace, source: Path) -> None:
    from reviewgen.study.export import write_json
    from reviewgen.study.report_text import summary_lines
    from reviewgen.study.stats import build_report

    report = build_report(study.rows(), study.meta())
    for line in summary_lines(report):
        print(line)
    path = Path(args.out_json) if args.out_json else source / "report.json"
    write_json(report, path)
    print(f"wrote {path}")
