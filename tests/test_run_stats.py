"""Run statistics: model time is a union of call spans, so concurrency does not inflate it."""

from __future__ import annotations

import asyncio
import time

from reviewgen.pipeline.orchestrator import RunStats


def test_overlapping_model_calls_count_once_and_gaps_not_at_all():
    stats = RunStats()
    spans: list[float] = []

    async def call(delay: float, length: float) -> None:
        await asyncio.sleep(delay)
        started = time.perf_counter()
        with stats.model_busy():
            await asyncio.sleep(length)
        spans.append(time.perf_counter() - started)

    async def run() -> None:
        await asyncio.gather(call(0.0, 0.10), call(0.02, 0.10))  # one span of ~0.12 s
        await asyncio.sleep(0.10)  # the model idles
        await call(0.0, 0.05)

    asyncio.run(run())
    # The first two calls overlap by about 0.08 s; the gap before the third is not model time.
    assert max(spans[:2]) + spans[2] <= stats.model_seconds < sum(spans) - 0.04
    assert stats._in_flight == 0
