"""Client-side rate limits per model (requests and tokens per minute), shared by all workers.

Token buckets: a call waits until a request is available; tokens are charged after the call
(their number is known only then), so the next call waits while the bucket is in debt. Each
call is charged its own tokens (``call_tokens``, which ``models.usage`` fills), also under
concurrency. Calls already in flight when the bucket runs dry still finish, so a burst of K
concurrent calls can overdraw it by up to K calls' tokens; the debt is then paid off before
the next call starts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

# Tokens of the model calls made while one is set: a rate limiter charges each call its own
# tokens. Every asyncio task has its own context, so concurrent calls never mix.
call_tokens: ContextVar[list[int] | None] = ContextVar("call_tokens", default=None)


T = TypeVar("T")


class Bucket:
    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 60.0)  # at most a second's worth at once
        self.level = self.capacity
        self.updated = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, amount: float) -> float:
        self._refill()
        return 0.0 if self.level >= amount else (amount - self.level) / self.rate

    def take(self, amount: float) -> None:
        self._refill()
        self.level -= amount


class RateLimiter:
    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None) -> None:
        self.requests = Bucket(requests_per_minute) if requests_per_minute else None
        self.tokens = Bucket(tokens_per_minute) if tokens_per_minute else None
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # one waiter at a time keeps the order fair
            while True:
                wait = max(
                    self.requests.wait_time(1) if self.requests else 0.0,
                    self.tokens.wait_time(0) if self.tokens else 0.0,
                )
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            if self.requests:
                self.requests.take(1)

    def charge_tokens(self, tokens: int) -> None:
        if self.tokens:
            self.tokens.take(tokens)


async def limited(limiter: RateLimiter | None, call: Callable[[], Awaitable[T]]) -> T:
    """Run one model call (with its structured-output re-asks) under ``limiter``, charging it
    the tokens it used."""
    if limiter is None:
        return await call()
    await limiter.acquire()
    used = [0]
    scope = call_tokens.set(used)  # this call's tokens only, whatever runs beside it
    try:
        return await call()
    finally:
        call_tokens.reset(scope)
        limiter.charge_tokens(used[0])
