"""``reviewgen tune``: fine-tune the embedded model on real reviews (a LoRA adapter)."""

from __future__ import annotations

import argparse
import importlib.util
import os

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reviewgen.commands.common import add_config_options, config_from
from reviewgen.core.datasets import Columns
from reviewgen.core.errors import ConfigError

console = Console(stderr=True)
TORCH_HINT = (
    "reviewgen tune needs torch: pip install 'reviewgen[tune]' (install the CPU build of torch "
    "first, see README: PyPI's default wheel brings several GB of CUDA libraries)"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune",
        help="fine-tune the embedded model on real reviews (writes a LoRA adapter)",
        description="Train a LoRA adapter of the writer's embedded model on --reference, under "
        "the completion writer's own header; use it with --set models.writer.adapter=OUT "
        "(the writer then sends no few-shot examples). Rerunning with the same --out resumes "
        "an interrupted run.",
    )
    add_config_options(parser)
    parser.add_argument("--reference", required=True, help="real reviews (CSV/JSONL/Parquet)")
    parser.add_argument("--out", "-o", required=True, help="directory for adapter.gguf")
    parser.add_argument("--text-col", default="text", help="column with the review text")
    parser.add_argument("--rating-col", default="rating", help="column with the star rating")
    parser.add_argument("--product-col", default="product", help="column with the product")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="passes over the reviews (default: 2 up to 2,500 reviews, else 1)",
    )
    parser.add_argument("--rank", type=int, default=16, help="LoRA rank")
    parser.add_argument("--learning-rate", type=float, default=2e-4, help="peak learning rate")
    parser.add_argument("--batch-size", type=int, default=8, help="reviews per step")
    parser.add_argument(
        "--max-review-tokens", type=int, default=192, help="longer reviews are cut in training"
    )
    parser.add_argument(
        "--precision",
        choices=["bf16", "fp32"],
        default="bf16",
        help="bf16: 2-3x faster on CPUs with AVX-512 BF16/AMX; fp32 elsewhere",
    )
    parser.add_argument("--seed", type=int, default=0, help="order of the reviews, LoRA start")
    parser.add_argument(
        "--min-reviews", type=int, default=200, help="refuse a smaller reference (memorising)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("REVIEWGEN_THREADS", os.cpu_count() or 1)),
        help="CPU threads (default: REVIEWGEN_THREADS or all cores)",
    )
    parser.add_argument(
        "--restart", action="store_true", help="discard a checkpoint or adapter in --out"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reviewgen.tune.examples import read_rows

    config = config_from(args)
    columns = Columns(text=args.text_col, rating=args.rating_col, product=args.product_col)
    rows = read_rows(
        args.reference,
        columns,
        holdout_fraction=config.reference.holdout_fraction,
        min_reviews=args.min_reviews,
    )
    if args.threads < 1:
        raise ConfigError("--threads must be at least 1")
    if importlib.util.find_spec("torch") is None:
        raise ConfigError(TORCH_HINT)
    from reviewgen.tune.run import check_out, tune
    from reviewgen.tune.train import TrainSettings, auto_epochs

    check_out(args.out, restart=args.restart)
    settings = TrainSettings(
        rank=args.rank,
        alpha=2.0 * args.rank,
        learning_rate=args.learning_rate,
        epochs=args.epochs if args.epochs is not None else auto_epochs(len(rows)),
        batch_size=args.batch_size,
        max_review_tokens=args.max_review_tokens,
        precision=args.precision,
        seed=args.seed,
    )
    with Progress(
        TextColumn("tuning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("tune", total=None, loss="-")

        def ready(total: int, resumed_at: int) -> None:
            if resumed_at:
                console.print(f"resuming at step {resumed_at} of {total}")
            progress.update(task, total=total, completed=resumed_at)

        result = tune(
            rows,
            args.out,
            config,
            settings,
            reference=args.reference,
            threads=args.threads,
            restart=args.restart,
            on_ready=ready,
            on_step=lambda p: progress.update(task, completed=p.step, loss=f"{p.loss:.3f}"),
        )
    losses = ""
    if result.eval_loss_before is not None and result.eval_loss_after is not None:
        losses = f"; held-out loss {result.eval_loss_before:.3f} -> {result.eval_loss_after:.3f}"
    console.print(
        f"tuned on {result.reviews} reviews, {settings.epochs} epoch(s), in {result.steps} steps "
        f"({result.train_seconds / 60:.1f} min of training{losses})\n"
        f"adapter: {result.adapter}\n"
        f"use it: reviewgen generate --set models.writer.adapter={result.adapter.parent}"
    )
    return 0
