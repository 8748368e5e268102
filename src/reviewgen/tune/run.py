"""One tuning run: check the inputs, train (or resume), write ``adapter.gguf`` and
``adapter.json`` into ``out``. Every input is checked before anything is written."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from reviewgen.core.config import Config
from reviewgen.core.datasets import ReviewRow
from reviewgen.core.errors import ConfigError
from reviewgen.models.llamacpp import LENGTH_LINE_NOTE, resolve_model, shared_engine
from reviewgen.tune.adapter_file import ADAPTER_FILE, write_adapter
from reviewgen.tune.examples import PromptFormatter, fingerprint, to_examples
from reviewgen.tune.gemma import LoraGemma, read_gguf
from reviewgen.tune.train import Progress, Trainer, TrainSettings, evaluate_loss

CHECKPOINT_FILE = "checkpoint.pt"
REPORT_FILE = "adapter.json"
EVAL_SHARE, EVAL_MAX = 0.05, 100  # reviews kept out of training to show the loss falling
TOKENIZER_CONTEXT = 512


@dataclass(frozen=True)
class TuneResult:
    adapter: Path
    reviews: int
    steps: int
    resumed_at: int  # 0 for a fresh run
    train_seconds: float
    eval_loss_before: float | None
    eval_loss_after: float | None


def tune(
    rows: list[ReviewRow],
    out: str | Path,
    config: Config,
    settings: TrainSettings,
    *,
    reference: str,
    threads: int,
    restart: bool = False,
    on_ready: Callable[[int, int], None] | None = None,
    on_step: Callable[[Progress], None] | None = None,
) -> TuneResult:
    """Tune on ``rows`` (``examples.read_rows``: checked before torch is needed);
    ``on_ready(total_steps, resumed_at)`` is called once the model is loaded."""
    out = Path(out)
    spec = config.models.for_role("writer")
    if spec.provider != "llamacpp":
        raise ConfigError(
            f"models.writer.provider: tuning trains the embedded model (llamacpp), not "
            f"{spec.provider!r}"
        )
    model_path, _ = resolve_model(spec.model)
    check_out(out, restart=restart)
    checkpoint = out / CHECKPOINT_FILE
    torch.set_num_threads(threads)
    tokenizer = shared_engine(model_path, TOKENIZER_CONTEXT, 1)
    examples = to_examples(
        rows,
        PromptFormatter(config.category),
        tokenizer,
        max_review_tokens=settings.max_review_tokens,
    )
    random.Random(settings.seed).shuffle(examples)
    held = min(EVAL_MAX, int(len(examples) * EVAL_SHARE))
    held_out, training = examples[:held], examples[held:]
    dtype = torch.bfloat16 if settings.precision == "bf16" else torch.float32
    base, weights = read_gguf(model_path, dtype)
    model = LoraGemma(base, weights, rank=settings.rank, alpha=settings.alpha, seed=settings.seed)
    run_id = hashlib.sha256(
        f"{fingerprint(examples)}:{base.name}:{sorted(asdict(settings).items())}".encode()
    ).hexdigest()[:16]

    out.mkdir(parents=True, exist_ok=True)
    if restart:
        checkpoint.unlink(missing_ok=True)
    trainer = Trainer(model, training, settings, checkpoint=checkpoint, run_id=run_id)
    resumed = trainer.resume()
    resumed_at = trainer.step if resumed else 0
    loss_before = _previous(out, "eval_loss_before") if resumed else None
    if not resumed:
        loss_before = evaluate_loss(model, held_out, settings)
        _write_report(out, {"eval_loss_before": loss_before})
    if on_ready is not None:
        on_ready(trainer.total, resumed_at)
    trainer.run(on_step)
    model.eval()
    loss_after = evaluate_loss(model, held_out, settings)
    adapter = out / ADAPTER_FILE
    write_adapter(
        adapter,
        model.lora_pairs(),
        alpha=settings.alpha,
        base=base,
        notes={
            "reviews": len(training),
            "steps": trainer.total,
            "rank": settings.rank,
            LENGTH_LINE_NOTE: 1,  # the examples' header has the writer's Length line
        },
    )
    _write_report(
        out,
        {
            "base_model": base.name,
            "model_file": model_path.name,
            "reference": reference,
            "holdout_fraction": config.reference.holdout_fraction,
            "reviews": len(training),
            "eval_reviews": len(held_out),
            "settings": asdict(settings),
            "steps": trainer.total,
            "train_seconds": round(trainer.seconds, 1),
            "threads": threads,
            "eval_loss_before": loss_before,
            "eval_loss_after": loss_after,
            "loss_first_20": _mean(trainer.losses[:20]),
            "loss_last_20": _mean(trainer.losses[-20:]),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    checkpoint.unlink(missing_ok=True)  # the adapter is the result; the optimizer state goes
    return TuneResult(
        adapter=adapter,
        reviews=len(training),
        steps=trainer.total,
        resumed_at=resumed_at,
        train_seconds=trainer.seconds,
        eval_loss_before=loss_before,
        eval_loss_after=loss_after,
    )


def check_out(out: str | Path, *, restart: bool) -> None:
    """Refuse to overwrite a finished adapter (an unfinished run's checkpoint is resumed)."""
    out = Path(out)
    finished = (out / ADAPTER_FILE).exists() and not (out / CHECKPOINT_FILE).exists()
    if finished and not restart:
        raise ConfigError(f"{out}: already holds an adapter; choose another --out or --restart")


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _previous(out: Path, key: str) -> float | None:
    path = out / REPORT_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get(key)


def _write_report(out: Path, report: dict[str, object]) -> None:
    path = out / REPORT_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shutil.move(partial, path)
