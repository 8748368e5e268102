"""Vocabulary calibration: steer a local writer's word choice toward the reference's.

A small base model has favourite words ("very", "has", "quality"), and a real-vs-synthetic
classifier spots its reviews mostly by them. With a reference dataset and a llama.cpp writer,
the writer's own drafts are counted as the run goes, and every token it uses more often than the
reference does gets a negative logit bias of ``temperature * log(reference share / draft share)``:
under a unigram approximation, the bias that brings its share down to the reference's. Drafts
written under a bias are counted as if unbiased (each token weighted by ``exp(-bias / T)``), so
the estimate does not chase its own correction. Aspect words are never biased: the critic
wants them. Product names are not protected: words of marketplace titles ("with", "16GB",
"3G") are among the drafts' giveaways. Measured in docs/HISTORY.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Protocol


class Tokenizer(Protocol):
    def encode(self, text: str) -> list[int]: ...

    def piece(self, token: int) -> str: ...


class VocabularyBias:
    """Running token counts of the drafts, and the logit bias they call for."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        reference: Iterable[str],
        *,
        temperature: float,
        protected: Iterable[str] = (),
        warmup: int = 20,
        every: int = 10,
        min_count: float = 5.0,
        floor: float = -3.0,
    ) -> None:
        self.tokenizer = tokenizer
        self.temperature = max(temperature, 0.05)  # greedy decoding still needs a scale
        self.reference = Counter(t for text in reference for t in self._tokens(text))
        self.reference_total = sum(self.reference.values())
        self.protected = {t for text in protected for t in self._tokens(text)}
        self.warmup, self.every = warmup, every
        self.min_count, self.floor = min_count, floor
        self.seen: Counter[int] = Counter()
        self.drafts = 0
        self.bias: dict[int, float] = {}
        self._wordlike: dict[int, bool] = {}

    def _tokens(self, text: str) -> list[int]:
        # Words inside a review follow a space; tokenising with one keeps the ids the same.
        return self.tokenizer.encode(" " + " ".join(text.split()))

    def observe(self, text: str, bias: dict[int, float]) -> None:
        """Count one draft written under ``bias``; refresh the bias every ``every`` drafts."""
        if not text:
            return
        for token in self._tokens(text):
            self.seen[token] += math.exp(-bias.get(token, 0.0) / self.temperature)
        self.drafts += 1
        if self.drafts >= self.warmup and (self.drafts - self.warmup) % self.every == 0:
            self.bias = self._estimate()

    def _estimate(self) -> dict[int, float]:
        if not self.reference_total:
            return {}
        seen_total = sum(self.seen.values())
        bias = {}
        for token, count in self.seen.items():
            if count < self.min_count or token in self.protected or not self._is_word(token):
                continue
            reference_share = (self.reference[token] + 0.5) / self.reference_total
            value = self.temperature * math.log(reference_share / (count / seen_total))
            if value < -0.1:
                bias[token] = round(max(value, self.floor), 3)
        return bias

    def _is_word(self, token: int) -> bool:
        """Only word pieces: biasing punctuation or line breaks changes where drafts stop."""
        if token not in self._wordlike:
            self._wordlike[token] = any(c.isalpha() for c in self.tokenizer.piece(token))
        return self._wordlike[token]
