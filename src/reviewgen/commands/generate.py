"""``reviewgen generate``: run the pipeline until ``count`` reviews are accepted."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reviewgen.commands.common import add_config_options
from reviewgen.core.config import ROLES, Config, config_hash
from reviewgen.core.errors import ReviewgenError
from reviewgen.core.export import FORMATS, export
from reviewgen.core.registry import providers
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import RunResult, generate, load_manifest

console = Console(stderr=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="generate synthetic reviews")
    add_config_options(parser)
    parser.add_argument("--count", "-n", type=int, help="reviews to accept (run.count)")
    parser.add_argument("--out", "-o", help="output directory (run.out)")
    parser.add_argument("--seed", type=int, help="run seed (run.seed)")
    parser.add_argument("--reference", help="real reviews (CSV/JSONL/Parquet) to learn from")
    parser.add_argument(
        "--no-calibrate",
        action="store_true",
        help="use --reference for exemplars only, not for the mix of ratings, lengths and products",
    )
    parser.add_argument("--concurrency", type=int, help="parallel slots (run.concurrency)")
    parser.add_argument(
        "--executor",
        choices=["local", "ray"],
        help="run here (local, the default) or on a Ray cluster (ray; run.executor)",
    )
    parser.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="with --executor ray: HOST:PORT of a running cluster's head, or ray://HOST:PORT "
        "(run.ray.address; unset: start Ray on this machine)",
    )
    parser.add_argument(
        "--ray-workers", type=int, metavar="N", help="Ray worker actors (run.ray.workers)"
    )
    parser.add_argument("--max-tokens", type=int, help="stop after this many tokens in all")
    parser.add_argument("--max-cost", type=float, help="stop at this cost (needs prices:)")
    parser.add_argument("--max-attempts", type=int, help="stop after this many drafts")
    parser.add_argument("--resume", metavar="DIR", help="continue the run in DIR to its count")
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --resume: accept a config that differs from the run's",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a run already in --out")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="also write the accepted reviews as reviews.csv or reviews.parquet, one flat schema "
        "that pandas, pyarrow and Hugging Face datasets load exactly (reviews.jsonl is always "
        "written: it is the run's ledger)",
    )
    parser.add_argument(
        "--pilot",
        action="store_true",
        help="generate 3 reviews (real model calls, asked first on a keyed provider) into a "
        "temporary directory and scale their calls, tokens, cost and time to --count",
    )
    parser.add_argument("--yes", action="store_true", help="with --pilot: do not ask first")
    parser.set_defaults(func=run)


def _overrides(args: argparse.Namespace) -> list[str]:
    pairs = {
        "run.count": args.count,
        "run.seed": args.seed,
        "run.out": args.out,
        "run.concurrency": args.concurrency,
        "run.executor": args.executor,
        "run.ray.address": args.ray_address,
        "run.ray.workers": args.ray_workers,
        "run.max_tokens": args.max_tokens,
        "run.max_cost": args.max_cost,
        "run.max_attempts": args.max_attempts,
        "reference.path": args.reference,
    }
    return [f"{key}={json.dumps(value)}" for key, value in pairs.items() if value is not None]


def resolve_config(args: argparse.Namespace) -> Config:
    if not args.resume:
        return load_config(args.config, [*args.overrides, *_overrides(args)])
    manifest = load_manifest(Path(args.resume))
    stored = manifest.get("config")
    if args.config is None and not args.overrides:
        # Resume with the run's own settings; only the count may grow.
        config = Config.model_validate(stored)
        if args.count is not None:
            config.run.count = args.count
        return config
    config = load_config(args.config, [*args.overrides, *_overrides(args)])
    if config_hash(config) != manifest.get("config_hash") and not args.force:
        raise ReviewgenError(
            f"the config differs from the one {args.resume} was generated with "
            f"(hash {config_hash(config)} vs {manifest.get('config_hash')}); resuming would mix "
            "two datasets. Resume without --config, or pass --force"
        )
    return config


def print_summary(result: RunResult, count: int) -> None:
    stats = result.stats
    table = Table(title="reviewgen run", show_header=False)
    table.add_row("status", result.status)
    table.add_row(
        "accepted",
        f"{result.accepted} / {count}"
        + (f" ({result.resumed_from} before resume)" if result.resumed_from else ""),
    )
    table.add_row("drafts written", str(stats.drafts))
    for reason, n in sorted(stats.rejected.items(), key=lambda kv: -kv[1]):
        table.add_row(f"rejected: {reason}", str(n))
    table.add_row("time", f"{stats.elapsed:.1f} s")
    table.add_row("reviews/min", f"{result.reviews_per_minute:.1f}")
    for role, usage in result.usage.items():
        if usage.calls:
            table.add_row(
                f"tokens ({role})",
                f"{usage.input_tokens} in + {usage.output_tokens} out, {usage.calls} calls",
            )
    if result.cost:
        table.add_row("cost", f"{result.cost:.4f}")
    if stats.retries:
        table.add_row("retried calls", str(stats.retries))
    for note in result.notes:
        table.add_row("note", note)
    table.add_row("output", str(result.out / "reviews.jsonl"))
    console.print(table)


def _paid_roles(config: Config) -> list[str]:
    """Roles whose provider reads an API key: a pilot there spends real money."""
    roles = []
    for role in ROLES:
        spec = config.models.for_role(role)
        if providers.get(spec.provider, where=f"models.{role}.provider").key_variables:
            roles.append(f"{role} ({spec.label()})")
    return roles


def pilot_run(config: Config, args: argparse.Namespace) -> int:
    paid = _paid_roles(config)
    if paid and not args.yes:
        if not sys.stdin.isatty():
            raise ReviewgenError(
                f"--pilot makes real calls to {', '.join(paid)}; pass --yes to allow them"
            )
        answer = input(f"--pilot makes real calls to {', '.join(paid)}. Continue? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            return 1
    pilot_count = min(3, config.run.count)
    pilot = config.model_copy(deep=True)
    pilot.run.count = pilot_count
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(pilot, Path(tmp), calibrate=not args.no_calibrate)
    if result.accepted == 0:
        raise ReviewgenError("the pilot accepted no review; check rejects with a real run")
    scale = config.run.count / result.accepted
    table = Table(title=f"estimate for {config.run.count} reviews (pilot of {result.accepted})")
    table.add_column("role")
    table.add_column("calls", justify="right")
    table.add_column("tokens", justify="right")
    for role, usage in result.usage.items():
        if usage.calls:
            table.add_row(role, f"{usage.calls * scale:.0f}", f"{usage.total_tokens * scale:.0f}")
    console.print(table)
    console.print(
        f"estimated cost: {result.cost * scale:.4f} (prices from config 'prices:'), "
        f"time: {result.stats.elapsed * scale / 60:.1f} min at concurrency 1"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    config = resolve_config(args)
    if args.pilot:
        return pilot_run(config, args)
    out = Path(args.resume or config.run.out)
    count = config.run.count
    with Progress(
        TextColumn("[bold]generating"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} accepted"),
        TextColumn("{task.fields[drafts]} drafts"),
        TextColumn("{task.fields[rate]}/min"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,  # in a log, the summary says it (and errors stand alone)
    ) as progress:
        task = progress.add_task("generate", total=count, drafts=0, rate="0.0")

        def on_progress(stats) -> None:
            progress.update(
                task,
                completed=stats.accepted,
                drafts=stats.drafts,
                rate=f"{stats.reviews_per_minute:.1f}",
            )

        result = generate(
            config,
            out,
            resume=bool(args.resume),
            overwrite=args.overwrite,
            calibrate=not args.no_calibrate,
            on_progress=on_progress,
        )
    print_summary(result, count)
    if args.format != "jsonl" and result.accepted:
        console.print(f"exported: {export(result.out / 'reviews.jsonl', args.format)}")
    if result.status == "interrupted":
        return 130
    if result.status != "complete":
        print(f"stopped early: {result.status}", file=sys.stderr)
        return 3
    return 0
