"""Retries with exponential backoff and jitter, and a circuit breaker for a provider that keeps
refusing.

What a failure means is the provider's to say: each provider class in ``models.providers``
declares ``ErrorRules`` (its transient exception types and status codes, and how it words a
context overflow), and the assembly hands them down in the ``RetryPolicy``; this module applies
the rules it is given and imports no provider package. Three outcomes:

- transient (rate limits, server errors, timeouts, dropped connections): retried with backoff,
  honouring the provider's ``Retry-After``;
- context overflow: ``PromptTooLong``, which rejects that candidate (the run goes on);
- anything else (a refused key, a bad request): raised at once, since asking again will not help.

A call still failing after its attempts raises ``RetriesExhausted`` (the candidate is rejected).
The ``CircuitBreaker`` shared by every call to one model stops the run, with what it accepted,
when that happens ``max_failed_calls`` times in a row or when the model refuses for longer than
``max_refused_seconds`` without one answer: without it, workers under a sustained 429 retry
forever.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from reviewgen.core.errors import PromptTooLong
from reviewgen.core.secrets import redact

T = TypeVar("T")

# HTTP statuses that say "not now": request timeout, rate limit, server errors.
TRANSIENT_STATUSES = frozenset({408, 429, *range(500, 600)})
OVERFLOW_NAMES = frozenset({"ContextOverflowError"})  # langchain_core.exceptions


class ErrorKind(Enum):
    TRANSIENT = "transient"
    CONTEXT_OVERFLOW = "context_overflow"
    FATAL = "fatal"


def status_of(exc: BaseException) -> int | None:
    for attr in ("status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def header_delay(exc: BaseException) -> float | None:
    """Seconds from the response's ``retry-after-ms`` or ``Retry-After`` (seconds or a date)."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            return max(0.0, float(milliseconds) / 1000)
        value = headers.get("retry-after") or headers.get("Retry-After")
    except (AttributeError, TypeError, ValueError):
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class ErrorRules:
    """How one provider's failures read: which are transient, which are a context overflow.

    Beside these lists, every provider gets the same base: Python's own ``TimeoutError`` and
    ``ConnectionError``, an exception whose ``is_retryable`` is true (LangChain's
    ``ModelError`` taxonomy) and the statuses in ``transient_statuses`` are transient;
    ``PromptTooLong`` and LangChain's ``ContextOverflowError`` are overflows.
    """

    transient_names: frozenset[str] = frozenset()  # exception class names (any base class)
    transient_statuses: frozenset[int] = TRANSIENT_STATUSES
    overflow_names: frozenset[str] = frozenset()
    overflow_phrases: tuple[str, ...] = ()  # lowercase parts of the provider's message
    # Seconds the provider asked to wait, where it says so outside the headers.
    retry_hint: Callable[[BaseException], float | None] | None = None

    def classify(self, exc: BaseException) -> ErrorKind:
        names = _names(exc)
        if isinstance(exc, PromptTooLong) or names & (
            self.overflow_names | {"ContextOverflowError"}
        ):
            return ErrorKind.CONTEXT_OVERFLOW
        if self.overflow_phrases and status_of(exc) in (None, 400, 413):
            message = str(exc).lower()
            if any(phrase in message for phrase in self.overflow_phrases):
                return ErrorKind.CONTEXT_OVERFLOW
        if (
            isinstance(exc, TimeoutError | ConnectionError)
            or getattr(exc, "is_retryable", False) is True
            or names & self.transient_names
            or status_of(exc) in self.transient_statuses
        ):
            return ErrorKind.TRANSIENT
        return ErrorKind.FATAL

    def wait_hint(self, exc: BaseException) -> float | None:
        """What the provider asked for, from the error or the one it was raised from."""
        for error in (exc, exc.__cause__):
            if error is None:
                continue
            hinted = header_delay(error)
            if hinted is None and self.retry_hint is not None:
                hinted = self.retry_hint(error)
            if hinted is not None:
                return hinted
        return None


GENERIC = ErrorRules()


def is_transient(exc: BaseException, rules: ErrorRules = GENERIC) -> bool:
    return rules.classify(exc) is ErrorKind.TRANSIENT


def seconds_from_json(details: object, key: str = "retryDelay") -> float | None:
    """A ``"37s"``-style delay anywhere in a JSON error body (google.rpc.RetryInfo)."""
    text = details if isinstance(details, str) else json.dumps(details, default=str)
    marker = f'"{key}": "'
    start = text.find(marker)
    if start < 0:
        return None
    value = text[start + len(marker) :].split('"', 1)[0].rstrip("s")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class RetriesExhausted(Exception):
    """A call failed with transient errors on every attempt; its candidate is rejected."""


class CircuitOpen(BaseException):
    """A model keeps refusing: the run stops cleanly, keeping what it accepted.

    A ``BaseException``, like ``asyncio.CancelledError``, so the handlers that turn one failed
    call into a failed verdict or a persona without a backstory let it through to the run loop.
    """


@dataclass
class CircuitBreaker:
    """Shared by every call to one model (all roles and workers that use it)."""

    name: str  # the config key it stands for, e.g. models.writer
    max_failed_calls: int = 5
    max_refused_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    failed_calls: int = 0
    refused_since: float | None = None
    reason: str | None = None  # set once open

    def check(self) -> None:
        if self.reason is None and self.refused_since is not None:
            refused = self.clock() - self.refused_since
            if refused > self.max_refused_seconds:
                self._open(f"refused for {refused:.0f} s with no answer")
        if self.reason is not None:
            raise CircuitOpen(self.reason)

    def answered(self) -> None:
        self.failed_calls = 0
        self.refused_since = None

    def refused(self, exc: BaseException, wait: float) -> None:
        """A transient refusal; opens if waiting ``wait`` would exceed the window."""
        now = self.clock()
        if self.refused_since is None:
            self.refused_since = now
        if now + wait - self.refused_since > self.max_refused_seconds:
            self._open(
                f"refused for over {self.max_refused_seconds:g} s with no answer "
                f"(asked to wait {wait:.0f} s more; last: {_describe(exc)})"
            )

    def failed(self, exc: BaseException) -> None:
        self.failed_calls += 1
        if self.failed_calls >= self.max_failed_calls:
            self._open(
                f"{self.failed_calls} calls in a row failed after their retries "
                f"(last: {_describe(exc)})"
            )

    def _open(self, why: str) -> None:
        self.reason = self.reason or f"{self.name}: {why}"
        raise CircuitOpen(self.reason)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return redact(f"{type(exc).__name__}: {text[:200]}")


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0  # cap of the computed backoff; a provider's Retry-After is obeyed
    timeout: float | None = 120.0
    errors: ErrorRules = GENERIC  # the provider's reading of its failures
    breaker: CircuitBreaker | None = field(default=None, compare=False)

    def delay(self, attempt: int, exc: BaseException, rng: random.Random) -> float:
        hinted = self.errors.wait_hint(exc)
        if hinted is not None:
            return hinted
        # "Full jitter": spreads retries of many workers instead of synchronising them.
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    rng: random.Random,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    breaker = policy.breaker
    for attempt in range(policy.attempts):
        if breaker is not None:
            breaker.check()
        try:
            # asyncio.timeout, not wait_for: no extra task and loop turn per call
            async with asyncio.timeout(policy.timeout):
                result = await call()
        except Exception as exc:
            kind = policy.errors.classify(exc)
            if kind is ErrorKind.CONTEXT_OVERFLOW:
                if breaker is not None:
                    breaker.answered()  # the model is there; this prompt did not fit
                if isinstance(exc, PromptTooLong):
                    raise
                raise PromptTooLong(_describe(exc)) from exc
            if kind is ErrorKind.FATAL:
                raise
            wait = policy.delay(attempt, exc, rng)
            if breaker is not None:
                breaker.refused(exc, wait)
            if attempt == policy.attempts - 1:
                if breaker is not None:
                    breaker.failed(exc)
                raise RetriesExhausted(
                    f"{policy.attempts} attempts failed; last: {_describe(exc)}"
                ) from exc
            if on_retry is not None:
                on_retry(exc)
            await asyncio.sleep(wait)
        else:
            if breaker is not None:
                breaker.answered()
            return result
    raise AssertionError("unreachable")
