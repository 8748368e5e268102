"""Length following: ask a model for the length that makes it write the planned one.

A model tuned under a ``Length: N words`` line follows it loosely, and less the longer N is:
the tuned writer wrote about two thirds of targets over 100 words, the length rule accepted
them (down to half the target), and reviews over 115 words were 6% of a run against 9% of real
ones (docs/HISTORY.md, length following). As the run goes, each draft's words are fitted
against the words its header asked for, ``log written = a + b log asked``, and the next header
asks for the length that the fit says comes out at the target. The fit is of the model's answer
to what it was asked, so it does not chase its own correction.
"""

from __future__ import annotations

import math

import numpy as np


class LengthFollow:
    """Pairs of (words asked, words written), and the ask they call for."""

    def __init__(
        self,
        *,
        warmup: int = 30,
        every: int = 10,
        shortest_ask: float = 0.5,
        longest_ask: float = 2.0,
    ) -> None:
        self.warmup, self.every = warmup, every
        # An ask stays within these shares of the target: a bad early fit cannot run away.
        self.shortest_ask, self.longest_ask = shortest_ask, longest_ask
        self.pairs: list[tuple[float, float]] = []
        self.intercept, self.slope = 0.0, 1.0  # the identity until the warm-up is over

    def observe(self, asked: int, written: int) -> None:
        """Record one draft; refit every ``every`` drafts after the warm-up."""
        if asked < 1 or written < 1:
            return
        self.pairs.append((math.log(asked), math.log(written)))
        seen = len(self.pairs)
        if seen >= self.warmup and (seen - self.warmup) % self.every == 0:
            self._fit()

    def _fit(self) -> None:
        x, y = np.array(self.pairs).T
        if x.std() < 0.1:  # every ask alike: no slope to learn
            return
        slope, intercept = np.polyfit(x, y, 1)
        if slope > 0.2:  # a flat or falling fit would ask for absurd lengths
            self.intercept, self.slope = float(intercept), float(slope)

    def ask(self, target: int) -> int:
        """The words to ask for so that the model writes about ``target``."""
        wanted = math.exp((math.log(max(target, 1)) - self.intercept) / self.slope)
        low, high = target * self.shortest_ask, target * self.longest_ask
        return max(1, round(min(max(wanted, low), high)))
