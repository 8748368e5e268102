"""Gemini's request/response path without a key: the real client against a local server that
answers in the Gemini REST wire format.

The answers in ``tests/data/gemini/`` are written in the documented ``generateContent``
response and ``google.rpc.Status`` error shapes (usage metadata, JSON text for structured
output, RESOURCE_EXHAUSTED with RetryInfo, UNAVAILABLE, an input over the token limit). The
provider is built exactly as a run builds it (``base_url`` points it at the local server), so
the SDK's own request, parsing and error types are what the pipeline's retry rules meet.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reviewgen.chains.judge import ajudge
from reviewgen.core.config import ModelSpec
from reviewgen.core.errors import PromptTooLong
from reviewgen.core.retry import RetryPolicy, with_retries
from reviewgen.models.providers import GeminiProvider, build_model
from reviewgen.models.usage import UsageTracker
from tests.critic_rules.conftest import make_plan

ANSWERS = Path(__file__).parents[1] / "data" / "gemini"


class GeminiStub:
    """Answers each POST with the next (status, fixture) of its script; keeps the requests."""

    def __init__(self, script: list[tuple[int, str]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[str, dict]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                stub.requests.append((self.path, json.loads(self.rfile.read(length))))
                code, name = stub.script.pop(0)
                body = (ANSWERS / f"{name}.json").read_bytes()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gemini(monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key-not-real")
    stubs = []

    def start(*script: tuple[int, str]):
        stub = GeminiStub(list(script))
        stubs.append(stub)
        spec = ModelSpec(
            provider="google_genai", model="gemini-2.5-flash", base_url=stub.url, max_tokens=200
        )
        return stub, build_model(spec)

    yield start
    for stub in stubs:
        stub.close()


def retried(model, messages, attempts: int = 3):
    policy = RetryPolicy(attempts=attempts, base_delay=0.01, errors=GeminiProvider.errors)
    retries: list[BaseException] = []

    async def call():
        return await with_retries(
            lambda: model.ainvoke(messages), policy, random.Random(0), retries.append
        )

    return asyncio.run(call()), retries


def test_an_answer_and_its_token_usage(gemini):
    stub, model = gemini((200, "answer"))
    tracker = UsageTracker()
    answer = asyncio.run(model.with_config(callbacks=[tracker]).ainvoke("Write a review."))
    assert answer.content.startswith("Battery gets me through a double shift")
    assert (tracker.usage.input_tokens, tracker.usage.output_tokens) == (212, 24)
    path, request = stub.requests[0]
    assert path.endswith("/models/gemini-2.5-flash:generateContent")
    assert request["contents"][0]["parts"][0]["text"] == "Write a review."
    assert request["generationConfig"]["maxOutputTokens"] == 200


def test_rate_limits_and_overload_are_retried_after_the_delay_gemini_asks(gemini):
    stub, model = gemini((429, "rate_limited"), (503, "unavailable"), (200, "answer"))
    answer, retries = retried(model, "Write a review.")
    assert answer.content and len(stub.requests) == 3
    assert [GeminiProvider.errors.wait_hint(e) for e in retries] == [1.0, None]


def test_an_input_over_the_limit_is_prompt_too_long(gemini):
    stub, model = gemini((400, "too_long"))
    with pytest.raises(PromptTooLong, match="exceeds the maximum number of tokens allowed"):
        retried(model, "Write a review.")
    assert len(stub.requests) == 1


def test_a_refused_key_is_not_retried(gemini):
    stub, model = gemini((400, "bad_key"))
    with pytest.raises(Exception, match="API key not valid"):
        retried(model, "Write a review.")
    assert len(stub.requests) == 1


def test_the_judge_asks_gemini_for_json_by_schema(gemini):
    stub, model = gemini((200, "judge_json"))
    result = asyncio.run(ajudge(model, "Battery is good.", make_plan(4, ["battery"]), noun="phone"))
    assert result.value is not None and result.value.aspect_coverage == 5 and result.structured
    config = stub.requests[0][1]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert "realism" in json.dumps(config.get("responseJsonSchema") or config["responseSchema"])
