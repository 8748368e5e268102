"""Provider faults, malformed output, rate limits and exactly-once acceptance under concurrency."""

from __future__ import annotations

import asyncio
import json
import time
from typing import ClassVar

from reviewgen.core.ratelimit import RateLimiter
from reviewgen.core.retry import RetryPolicy, is_transient, with_retries
from reviewgen.models.fake import FakeChatModel
from reviewgen.models.fake_reviews import compose_review
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

FAKE = [
    "models.default.provider=fake",
    "models.default.model=fake",
    "store.threshold=0.95",
    "models.default.retry_base_delay=0.001",
]


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_fault_injection_completes_its_count(tmp_path, monkeypatch):
    calls = {"n": 0}

    def flaky(prompt: str) -> str:
        calls["n"] += 1
        if calls["n"] % 10 == 0:  # 10% malformed output
            return '{"review": ### \x00 <|endoftext|>'
        return compose_review(prompt)

    model = FakeChatModel(responder=flaky, fail_every=3)  # every third call fails: 33%
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: model)
    config = load_config(None, [*FAKE, "run.count=30", "run.concurrency=4"])
    result = generate(config, tmp_path)
    records = read(tmp_path / "reviews.jsonl")
    assert result.status == "complete" and len(records) == 30
    assert result.stats.retries > 10
    assert not any("endoftext" in r["text"] for r in records)


def test_same_text_from_every_worker_is_accepted_once(tmp_path, monkeypatch):
    same = (
        "The battery lasts two days and the camera is sharp, honestly the best phone I "
        "have owned and the price was fair."
    )
    model = FakeChatModel(responses=[same] * 32 + ["x"], latency=0.01)
    others = iter(range(10_000))
    model.responder = lambda prompt: compose_review(prompt + str(next(others)))
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: model)
    config = load_config(
        None,
        [
            *FAKE,
            "store.threshold=0.8",
            "run.count=32",
            "run.concurrency=32",
            "critic.rules=[]",
            "noise.enabled=false",
        ],
    )
    generate(config, tmp_path)
    texts = [r["text"] for r in read(tmp_path / "reviews.jsonl")]
    assert texts.count(same) == 1 and len(texts) == 32


def test_non_transient_errors_are_not_retried():
    attempts = {"n": 0}

    async def bad_key():
        attempts["n"] += 1
        raise PermissionError("401 invalid api key")

    import random

    import pytest

    with pytest.raises(PermissionError):
        asyncio.run(with_retries(bad_key, RetryPolicy(base_delay=0), random.Random(0)))
    assert attempts["n"] == 1
    assert is_transient(TimeoutError()) and is_transient(ConnectionResetError())


def test_retry_after_is_honoured():
    class Limited(Exception):
        status_code = 429

        class response:
            headers: ClassVar[dict[str, str]] = {"retry-after": "0.2"}
            status_code = 429

    attempts = {"n": 0}

    async def call():
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise Limited()
        return "ok"

    import random

    started = time.monotonic()
    assert asyncio.run(with_retries(call, RetryPolicy(base_delay=10), random.Random(0))) == "ok"
    assert 0.2 <= time.monotonic() - started < 2


def test_rate_limiter_spaces_requests():
    # 10 per second, bursts of one second's worth: 16 requests need at least 0.6 s
    limiter = RateLimiter(requests_per_minute=600, tokens_per_minute=None)

    async def burst():
        for _ in range(16):
            await limiter.acquire()

    started = time.monotonic()
    asyncio.run(burst())
    assert time.monotonic() - started >= 0.55


def test_token_limit_charges_each_call_its_own_tokens(tmp_path, monkeypatch):
    # 8 calls in flight at once: each must be charged its own tokens, not everything the role
    # used while it waited (that over-throttled a concurrent run 8-fold).
    charges = []
    original = RateLimiter.charge_tokens
    monkeypatch.setattr(
        RateLimiter, "charge_tokens", lambda self, n: charges.append(n) or original(self, n)
    )
    config = load_config(
        None,
        [
            *FAKE,
            "run.count=16",
            "run.concurrency=8",
            "models.default.options={latency: 0.02}",
            "models.default.tokens_per_minute=100000000",
        ],
    )
    result = generate(config, tmp_path)
    writer = result.usage["writer"]
    assert len(charges) == writer.calls == result.stats.drafts
    assert sum(charges) == writer.input_tokens + writer.output_tokens


def test_roles_on_one_model_share_its_rate_limits():
    from reviewgen.pipeline.build import _limiters

    limits = "{provider: fake, model: fake, requests_per_minute: 100}"
    config = load_config(None, [f"models.default={limits}", "models.persona={provider: fake}"])
    limiters = _limiters(config, {"writer", "judge", "persona"})
    assert limiters["writer"] is limiters["judge"]  # the provider counts their calls together
    assert "persona" not in limiters  # its own spec has no limits
