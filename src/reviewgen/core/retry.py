"""Retries with exponential backoff and jitter for transient provider failures.

Transient: rate limits (429), server errors (5xx), timeouts and dropped connections. A
``Retry-After`` the provider sends is honoured. Anything else is raised at once: a bad key or
a bad request will not get better by asking again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

TRANSIENT_NAMES = {
    "RateLimitError",
    "APITimeoutError",
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailable",
    "ResourceExhausted",
    "DeadlineExceeded",
    "ServerError",
    "ConnectError",
    "ReadTimeout",
    "RemoteProtocolError",
    "TransientFakeError",
}


def status_of(exc: BaseException) -> int | None:
    for attr in ("status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError | ConnectionError):
        return True
    if type(exc).__name__ in TRANSIENT_NAMES:
        return True
    status = status_of(exc)
    return status is not None and (status == 429 or 500 <= status < 600)


def retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float | None = 120.0

    def delay(self, attempt: int, exc: BaseException, rng: random.Random) -> float:
        hinted = retry_after(exc)
        if hinted is not None:
            return min(hinted, self.max_delay)
        # "Full jitter": spreads retries of many workers instead of synchronising them.
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    rng: random.Random,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    for attempt in range(policy.attempts):
        try:
            # asyncio.timeout, not wait_for: no extra task and loop turn per call
            async with asyncio.timeout(policy.timeout):
                return await call()
        except Exception as exc:
            if not is_transient(exc) or attempt == policy.attempts - 1:
                raise
            if on_retry is not None:
                on_retry(exc)
            await asyncio.sleep(policy.delay(attempt, exc, rng))
    raise AssertionError("unreachable")
