"""Reading provider errors (each provider's ErrorRules), retries, Retry-After and the breaker."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import openai
import pytest
from google.genai.errors import ClientError, ServerError

from reviewgen.core.errors import PromptTooLong
from reviewgen.core.retry import (
    CircuitBreaker,
    CircuitOpen,
    ErrorKind,
    RetriesExhausted,
    RetryPolicy,
    with_retries,
)
from reviewgen.models.providers import FakeProvider, GeminiProvider, OpenAIProvider

REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
OVERFLOW = (
    "This model's maximum context length is 1024 tokens. However, you requested 1071 tokens "
    "(815 in the messages, 256 in the completion)."
)


def openai_error(cls: type, status: int, message: str = "x", headers=None, code=None):
    response = httpx.Response(status, headers=headers or {}, request=REQUEST)
    body = {"message": message, "code": code} if code else None
    return cls(message, response=response, body=body)


def test_openai_errors_read_as_the_provider_says():
    rules = OpenAIProvider.errors
    assert rules.classify(openai_error(openai.RateLimitError, 429)) is ErrorKind.TRANSIENT
    assert rules.classify(openai_error(openai.InternalServerError, 503)) is ErrorKind.TRANSIENT
    assert rules.classify(openai.APITimeoutError(request=REQUEST)) is ErrorKind.TRANSIENT
    assert rules.classify(openai.APIConnectionError(request=REQUEST)) is ErrorKind.TRANSIENT
    overflow = openai_error(openai.BadRequestError, 400, OVERFLOW, code="context_length_exceeded")
    assert rules.classify(overflow) is ErrorKind.CONTEXT_OVERFLOW
    assert rules.classify(openai_error(openai.BadRequestError, 400, "bad")) is ErrorKind.FATAL
    assert rules.classify(openai_error(openai.AuthenticationError, 401)) is ErrorKind.FATAL


def test_gemini_errors_read_as_the_provider_says():
    from langchain_google_genai.chat_models import GoogleRateLimitError

    rules = GeminiProvider.errors
    quota = {
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "message": "Quota exceeded",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}],
        }
    }
    raw = ClientError(429, quota)
    assert rules.classify(raw) is ErrorKind.TRANSIENT and rules.wait_hint(raw) == 37.0
    try:  # langchain-google-genai drops the status code; the cause keeps the delay
        raise GoogleRateLimitError("Error calling model (RESOURCE_EXHAUSTED)") from raw
    except GoogleRateLimitError as wrapped:
        assert rules.classify(wrapped) is ErrorKind.TRANSIENT
        assert rules.wait_hint(wrapped) == 37.0
    assert rules.classify(ServerError(503, {"error": {"code": 503}})) is ErrorKind.TRANSIENT
    too_long = ClientError(
        400,
        {
            "error": {
                "code": 400,
                "status": "INVALID_ARGUMENT",
                "message": "The input token count (1200000) exceeds the maximum number of "
                "tokens allowed (1048576).",
            }
        },
    )
    assert rules.classify(too_long) is ErrorKind.CONTEXT_OVERFLOW


def test_a_provider_only_retries_its_own_transient_types():
    class TransientFakeError(Exception):
        pass

    assert FakeProvider.errors.classify(TransientFakeError()) is ErrorKind.TRANSIENT
    assert OpenAIProvider.errors.classify(TransientFakeError()) is ErrorKind.FATAL


def run(call, policy):
    return asyncio.run(with_retries(call, policy, random.Random(0)))


def failing(*errors):
    calls = {"n": 0}

    async def call():
        calls["n"] += 1
        if calls["n"] <= len(errors):
            raise errors[calls["n"] - 1]
        return "ok"

    return call, calls


def test_an_overflow_becomes_prompt_too_long_at_once():
    overflow = openai_error(openai.BadRequestError, 400, OVERFLOW, code="context_length_exceeded")
    call, calls = failing(overflow)
    with pytest.raises(PromptTooLong, match="maximum context length is 1024"):
        run(call, RetryPolicy(base_delay=0, errors=OpenAIProvider.errors))
    assert calls["n"] == 1


def test_retries_that_run_out_raise_retries_exhausted():
    call, calls = failing(*[openai_error(openai.InternalServerError, 503)] * 3)
    with pytest.raises(RetriesExhausted, match="3 attempts failed; last: InternalServerError"):
        run(call, RetryPolicy(attempts=3, base_delay=0, errors=OpenAIProvider.errors))
    assert calls["n"] == 3


def test_retry_after_is_obeyed_beyond_the_backoff_cap():
    limited = openai_error(openai.RateLimitError, 429, headers={"retry-after": "0.3"})
    call, _ = failing(limited)
    started = time.monotonic()
    policy = RetryPolicy(base_delay=0, max_delay=0.01, errors=OpenAIProvider.errors)
    assert run(call, policy) == "ok"
    assert time.monotonic() - started >= 0.3


def test_the_breaker_opens_after_failed_calls_in_a_row_and_stays_open():
    breaker = CircuitBreaker("models.writer", max_failed_calls=2)
    policy = RetryPolicy(attempts=2, base_delay=0, errors=OpenAIProvider.errors, breaker=breaker)
    call, _ = failing(*[openai_error(openai.InternalServerError, 500)] * 2)
    with pytest.raises(RetriesExhausted):
        run(call, policy)
    call, _ = failing(*[openai_error(openai.InternalServerError, 500)] * 2)
    with pytest.raises(CircuitOpen, match=r"models\.writer: 2 calls in a row failed"):
        run(call, policy)
    call, calls = failing()
    with pytest.raises(CircuitOpen):  # every later call, whoever makes it
        run(call, policy)
    assert calls["n"] == 0


def test_an_answer_resets_the_count():
    breaker = CircuitBreaker("models.writer", max_failed_calls=2)
    policy = RetryPolicy(attempts=1, base_delay=0, errors=OpenAIProvider.errors, breaker=breaker)
    for _ in range(3):
        call, _ = failing(openai_error(openai.InternalServerError, 500))
        with pytest.raises(RetriesExhausted):
            run(call, policy)
        assert run(failing()[0], policy) == "ok"


def test_the_breaker_opens_when_refusals_outlast_its_window():
    now = {"t": 0.0}
    breaker = CircuitBreaker("models.judge", max_refused_seconds=100, clock=lambda: now["t"])
    limited = openai_error(openai.RateLimitError, 429, headers={"retry-after": "30"})
    breaker.refused(limited, 30)
    now["t"] = 60
    breaker.refused(limited, 30)
    now["t"] = 90
    with pytest.raises(CircuitOpen, match="refused for over 100 s"):
        breaker.refused(limited, 30)  # would wait until 120 s
    assert breaker.reason is not None and breaker.reason.startswith("models.judge:")
