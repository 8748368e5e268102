"""Provider faults through a real socket: a scripted proxy in front of the real server.

The run completes its count with nothing lost or duplicated; only transient failures are
retried (honouring Retry-After); a context-length refusal rejects its candidate; a model that
keeps refusing trips the circuit breaker, which stops the run with what it accepted (exit 3).
"""

from __future__ import annotations

import json

import pytest

from reviewgen.cli import main
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from tests.server.conftest import server_overrides
from tests.server.fault_proxy import (
    CONTEXT_LENGTH,
    DROP,
    MALFORMED,
    PASS,
    TRUNCATE,
    FaultProxy,
    stall,
    status,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a busy machine is slow
WRITER = "You are a real customer"  # the chat writer's system prompt: a writer request
TIMEOUT = 20.0  # seconds per call; the stall outlasts it


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def cli(out, url, *settings: str) -> int:
    lean = server_overrides(url, full=False)
    overrides = [item for s in (*lean, *settings) for item in ("--set", s)]
    return main(["generate", "--out", str(out), *overrides])


def test_transient_faults_are_retried_and_an_overflow_rejects_one_candidate(llama_server, tmp_path):
    # At most four failures in a row (a call has five attempts), all of them met by the time
    # the third draft is written, so even a run that accepts its first three drafts sees them.
    faults = [
        status(429, retry_after="1.5"),
        PASS,
        CONTEXT_LENGTH,  # this candidate is rejected, the run goes on
        status(429),
        status(500),
        status(503),
        DROP,
        PASS,
        stall(TIMEOUT + 1),
        TRUNCATE,
        MALFORMED,
        PASS,
    ]
    with FaultProxy(llama_server.port) as proxy:
        proxy.script(faults, match=WRITER)
        config = load_config(
            None,
            [*server_overrides(proxy.url, full=False, timeout=TIMEOUT), "run.count=3"],
        )
        result = generate(config, tmp_path)
    records = read(tmp_path / "reviews.jsonl")
    assert result.status == "complete"
    assert sorted(r["slot"] for r in records) == [0, 1, 2]  # none lost, none twice
    assert len({r["id"] for r in records}) == 3 and len({r["text"] for r in records}) == 3
    transient = [f for f in faults if f.kind != "pass" and f is not CONTEXT_LENGTH]
    assert result.stats.retries >= len(transient) == 8
    assert result.stats.rejected["prompt_too_long"] == 1
    rejects = read(tmp_path / "rejects.jsonl")
    (too_long,) = [r for r in rejects if r["reasons"] == ["prompt_too_long"]]
    assert "maximum context length is 1024 tokens" in too_long["critic"][0]["feedback"]
    served = [kind for kind, _, _ in proxy.served]
    for kind in ("drop", "stall", "truncate", "malformed"):
        assert kind in served
    # The retry after "Retry-After: 1.5" came no sooner (the backoff alone is 50 ms).
    at = next(i for i, (_, sent, _) in enumerate(proxy.served) if sent == 429)
    assert proxy.served[at + 1][2] - proxy.served[at][2] >= 1.5


def test_an_error_that_is_not_transient_is_not_retried(llama_server, tmp_path):
    refused = status(401)
    with FaultProxy(llama_server.port) as proxy:
        proxy.script([refused], match=WRITER)
        config = load_config(None, [*server_overrides(proxy.url, full=False), "run.count=2"])
        with pytest.raises(Exception, match="injected 401"):
            generate(config, tmp_path)
    assert [s for _, s, _ in proxy.served].count(401) == 1


def test_the_breaker_stops_a_run_that_keeps_failing_and_keeps_its_reviews(
    llama_server, tmp_path, capsys
):
    ledger = tmp_path / "reviews.jsonl"

    def then():  # the server "goes down" once a review is on disk
        return status(503) if read(ledger) else PASS

    with FaultProxy(llama_server.port) as proxy:
        proxy.script([], then=then)
        code = cli(
            tmp_path,
            proxy.url,
            "run.count=6",
            "run.concurrency=3",
            "models.default.retries=2",
            "models.default.retry_base_delay=0.01",
            "models.default.max_failed_calls=3",
        )
    assert code == 3
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["status"].startswith("breaker: models.default: 3 calls in a row failed")
    assert "Error code: 503" in manifest["status"]
    records = read(ledger)
    assert 1 <= len(records) == manifest["accepted"] < 6
    assert "stopped early: breaker" in capsys.readouterr().err


def test_sustained_rate_limits_stop_every_worker(llama_server, tmp_path):
    with FaultProxy(llama_server.port) as proxy:
        proxy.script([], then=status(429, retry_after="1"))
        code = cli(
            tmp_path,
            proxy.url,
            "run.count=4",
            "run.concurrency=4",
            "models.default.retries=20",
            "models.default.max_failed_calls=100",
            "models.default.max_refused_seconds=2.5",
        )
    assert code == 3
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert "refused for over 2.5 s" in manifest["status"] and manifest["accepted"] == 0
    assert manifest["seconds"] < 15  # every worker stopped, none waits on
