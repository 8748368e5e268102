"""Settings of one evaluation, validated up front so a bad value fails before any work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewgen.core.errors import ConfigError


@dataclass(frozen=True)
class EvaluationOptions:
    """``max_sample`` bounds the per-set sample the heavier checks use (memory and time stay
    flat however large the files are); length, rating, topic, PII and copy checks see every row.
    ``workers > 1`` runs checks in spawned processes: the calling script needs the
    ``if __name__ == "__main__":`` guard, as with any ``multiprocessing`` code.
    ``zero_shot`` scores up to ``zero_shot_max`` reviews per set with ``zero_shot_model`` (a
    llama.cpp model: about a second per review on one core); off, or without the model, that
    detector family is reported as skipped.
    """

    seed: int = 0
    max_sample: int = 10_000
    dup_threshold: float = 0.8
    embedder: str = "hashing.v1"
    embedder_params: Mapping[str, Any] = field(default_factory=dict)
    holdout_share: float = 0.2
    aspects: Mapping[str, list[str]] | None = None
    folds: int = 5
    workers: int = 1
    zero_shot: bool = True
    zero_shot_model: str = "smollm2-135m-instruct"
    zero_shot_max: int = 300

    def __post_init__(self) -> None:
        if self.max_sample < 50:
            raise ConfigError(f"max_sample must be at least 50, got {self.max_sample}")
        if not 0.0 < self.dup_threshold <= 1.0:
            raise ConfigError(f"dup_threshold must be in (0, 1], got {self.dup_threshold}")
        if not 0.0 < self.holdout_share < 1.0:
            raise ConfigError(f"holdout_share must be in (0, 1), got {self.holdout_share}")
        if self.folds < 2:
            raise ConfigError(f"folds must be at least 2, got {self.folds}")
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {self.workers}")
        if self.zero_shot_max < 25:
            raise ConfigError(f"zero_shot_max must be at least 25, got {self.zero_shot_max}")

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "max_sample": self.max_sample,
            "dup_threshold": self.dup_threshold,
            "embedder": self.embedder,
            "embedder_params": dict(self.embedder_params),
            "holdout_share": self.holdout_share,
            "aspects": sorted(self.aspects) if self.aspects else None,
            "folds": self.folds,
            "zero_shot": self.zero_shot,
            "zero_shot_model": self.zero_shot_model,
            "zero_shot_max": self.zero_shot_max,
        }
