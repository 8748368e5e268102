"""One worker at a time runs pipeline code on the event loop; model calls wait outside the turn.

Why: asyncio runs ready tasks round-robin. When a burst of replies comes back, each worker's
own work (critic, noise, embedding, store, ledger) and the scheduling hops LangChain takes
before the next request leaves (a task per call) are queued behind the other workers' work,
so every next request leaves only once the whole burst is done. The workers then move in
lock-step waves and the loop idles between them (measured 2026-11-30: docs/HISTORY.md). A
worker that keeps the turn from a reply to its next request has at most one other worker's work
ahead of each hop. The loop is single-threaded, so the turn costs no parallelism: only model calls,
rate-limit waits and retry back-offs overlap, and they run outside it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

# Loop passes from giving the turn up to the request leaving: langchain-core 1.8 takes 1 for
# a chat model's call (the task its agenerate gathers) and 9 for the completion chain (a task
# per sequence step). Holding the turn a few passes too long costs nothing measurable
# (concurrency 32, chat: 281 reviews/s either way); too short lets the next worker's work
# in first. tests/test_turn.py checks both styles.
HOPS = 10


class Turn:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task | None = None

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        await self._acquire()
        try:
            yield
        finally:
            if self._holder is asyncio.current_task():  # not lost to a cancelled re-take
                self._holder = None
                self._lock.release()

    @contextlib.asynccontextmanager
    async def waiting(self) -> AsyncIterator[None]:
        """Give the turn up while awaiting a model; a task that does not hold it just waits."""
        if self._holder is not asyncio.current_task():
            yield
            return
        self._holder = None
        self._release_after(HOPS)  # this task's hops towards the request go first
        try:
            yield
        finally:
            await self._acquire()

    def _release_after(self, passes: int) -> None:
        if passes == 0:
            self._lock.release()
        else:
            asyncio.get_running_loop().call_soon(self._release_after, passes - 1)

    async def _acquire(self) -> None:
        await self._lock.acquire()
        self._holder = asyncio.current_task()
