"""The training loop: length-bucketed batches, AdamW on the LoRA weights, bf16 autocast, and a
checkpoint every few steps that a second run with the same ``--out`` resumes from.

Batches are fixed by the seed and the epoch, so a resumed run sees exactly the batches the
interrupted one would have; the checkpoint also carries a fingerprint of the data and the
settings and is used only by the same run.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import torch

from reviewgen.core.errors import ConfigError
from reviewgen.tune.examples import Example
from reviewgen.tune.gemma import LoraGemma

IGNORE = -100
PAD = 0
WARMUP_SHARE = 0.05
FLOOR_SHARE = 0.1  # the learning rate decays to this share of its peak
BUCKET_BATCHES = 16  # batches formed together from length-sorted examples
# The default epochs: two passes up to AUTO_PASSES reviews read in all, else one, so a default
# run reads at most ~5,000 reviews (~28 min on 2 cores). Two epochs beat one on every detector
# family at 1,981 reviews (docs/TUNE.md); more were not measured.
AUTO_PASSES = 5_000
AUTO_MAX_EPOCHS = 2


@dataclass(frozen=True)
class TrainSettings:
    rank: int = 16
    alpha: float = 32.0
    learning_rate: float = 2e-4
    epochs: int = 1
    batch_size: int = 8
    max_review_tokens: int = 192
    precision: Literal["bf16", "fp32"] = "bf16"
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("rank", "epochs", "batch_size", "max_review_tokens"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be at least 1")
        if not 0 < self.learning_rate < 1:
            raise ConfigError("--learning-rate must be between 0 and 1")


def auto_epochs(reviews: int) -> int:
    """The default number of epochs for ``reviews`` training reviews."""
    return max(1, min(AUTO_MAX_EPOCHS, AUTO_PASSES // max(reviews, 1)))


@dataclass(frozen=True)
class Progress:
    step: int
    total: int
    loss: float  # running mean of recent steps


def plan_batches(examples: list[Example], settings: TrainSettings) -> list[list[int]]:
    """Every epoch's batches, in order: shuffled, then grouped by length within buckets of a
    few batches (little padding), and the batches shuffled again."""
    batches: list[list[int]] = []
    for epoch in range(settings.epochs):
        rng = random.Random(f"{settings.seed}:{epoch}")
        order = list(range(len(examples)))
        rng.shuffle(order)
        span = settings.batch_size * BUCKET_BATCHES
        epoch_batches = []
        for start in range(0, len(order), span):
            bucket = sorted(order[start : start + span], key=lambda i: len(examples[i].tokens))
            epoch_batches += [
                bucket[i : i + settings.batch_size]
                for i in range(0, len(bucket), settings.batch_size)
            ]
        rng.shuffle(epoch_batches)
        batches += epoch_batches
    return batches


def collate(examples: list[Example]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded tokens and labels (-100 on the prompt and the padding)."""
    length = max(len(e.tokens) for e in examples)
    tokens = torch.full((len(examples), length), PAD, dtype=torch.long)
    labels = torch.full((len(examples), length), IGNORE, dtype=torch.long)
    for row, example in enumerate(examples):
        tokens[row, : len(example.tokens)] = torch.tensor(example.tokens)
        labels[row, example.prompt_length : len(example.tokens)] = torch.tensor(
            example.tokens[example.prompt_length :]
        )
    return tokens, labels


def learning_rate(step: int, total: int, peak: float) -> float:
    """Linear warm-up, then cosine decay to a floor."""
    warmup = max(1, int(total * WARMUP_SHARE))
    if step < warmup:
        return peak * (step + 1) / warmup
    done = (step - warmup) / max(1, total - warmup)
    return peak * (FLOOR_SHARE + (1 - FLOOR_SHARE) * 0.5 * (1 + math.cos(math.pi * done)))


def evaluate_loss(
    model: LoraGemma, examples: list[Example], settings: TrainSettings
) -> float | None:
    """Mean loss per review token on ``examples`` (no gradients)."""
    if not examples:
        return None
    total, count = 0.0, 0
    with torch.no_grad(), _autocast(settings):
        for start in range(0, len(examples), settings.batch_size):
            tokens, labels = collate(examples[start : start + settings.batch_size])
            scored = int((labels[:, 1:] != IGNORE).sum())
            total += float(model.loss(tokens, labels)) * scored
            count += scored
    return total / max(count, 1)


def _autocast(settings: TrainSettings) -> torch.autocast:
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.precision == "bf16")


class Trainer:
    """Trains ``model``'s LoRA weights; ``checkpoint`` is read on start and written every
    ``checkpoint_every`` steps and at the end."""

    def __init__(
        self,
        model: LoraGemma,
        examples: list[Example],
        settings: TrainSettings,
        *,
        checkpoint: Path,
        run_id: str,
        checkpoint_every: int = 20,
    ) -> None:
        self.model, self.examples, self.settings = model, examples, settings
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        self.run_id = run_id  # data and settings fingerprint
        self.batches = plan_batches(examples, settings)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate)
        self.step = 0
        self.losses: list[float] = []
        self.seconds = 0.0

    @property
    def total(self) -> int:
        return len(self.batches)

    def resume(self) -> bool:
        """Load the checkpoint if there is one of this run; refuse one of another run."""
        if not self.checkpoint.is_file():
            return False
        state = torch.load(self.checkpoint, weights_only=True)
        if state.get("run_id") != self.run_id:
            raise ConfigError(
                f"{self.checkpoint.parent}: holds a checkpoint of another tuning run (other "
                "reference or settings); choose another --out or pass --restart"
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.losses = int(state["step"]), list(state["losses"])
        self.seconds = float(state["seconds"])
        return True

    def save(self) -> None:
        partial = self.checkpoint.with_suffix(f".{os.getpid()}.partial")
        torch.save(
            {
                "run_id": self.run_id,
                "settings": asdict(self.settings),
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "step": self.step,
                "losses": self.losses,
                "seconds": self.seconds,
            },
            partial,
        )
        partial.replace(self.checkpoint)

    def run(self, on_step: Callable[[Progress], None] | None = None) -> None:
        self.model.train()
        while self.step < self.total:
            started = time.perf_counter()
            batch = [self.examples[i] for i in self.batches[self.step]]
            tokens, labels = collate(batch)
            for group in self.optimizer.param_groups:
                group["lr"] = learning_rate(self.step, self.total, self.settings.learning_rate)
            with _autocast(self.settings):
                loss = self.model.loss(tokens, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            self.losses.append(float(loss.detach()))
            self.seconds += time.perf_counter() - started
            if self.step % self.checkpoint_every == 0 or self.step == self.total:
                self.save()
            if on_step is not None:
                recent = self.losses[-20:]
                on_step(Progress(self.step, self.total, sum(recent) / len(recent)))
