"""What the pipeline may ask of a model, declared by the model's adapter.

The assembly asks ``capabilities_of(model)`` instead of testing the adapter's class, so a new
adapter (a provider plugin) gets per-draft seeds or a vocabulary bias by saying it can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Tokenizer(Protocol):
    def encode(self, text: str) -> list[int]: ...

    def piece(self, token: int) -> str: ...


@dataclass(frozen=True)
class ModelCapabilities:
    # Takes a seed, temperature and token cap per call (reproducible drafts at any concurrency).
    per_call_sampling: bool = False
    # Builds the model's own tokenizer (token ids for a logit bias); None: no token access.
    tokenizer: Callable[[], Tokenizer] | None = None
    # Tokens of prompt plus answer the model accepts; None: not known.
    context_window: int | None = None


def capabilities_of(model: Any) -> ModelCapabilities:
    """The model's declared capabilities; a model that declares none gets the defaults."""
    describe = getattr(getattr(model, "bound", model), "capabilities", None)
    return describe() if callable(describe) else ModelCapabilities()
