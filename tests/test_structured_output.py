"""Malformed structured output from the LLM judge, end to end through ``reviewgen generate``.

A malformed answer is re-asked with its parse error, at most ``max_parse_retries`` times; then
the candidate is rejected (never a crash) with the model's raw answer kept in rejects.jsonl,
and the run goes on to its count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewgen.cli import main
from tests.helpers import record_prompts

VALID = json.dumps({"realism": 4, "aspect_coverage": 4, "rating_match": 4, "feedback": "ok"})
NOT_JSON = "Looks like a genuine review to me."
TRUNCATED = '{"realism": 4, "aspect'
OUT_OF_RANGE = json.dumps({"realism": 9, "aspect_coverage": 4, "rating_match": 4})


@pytest.fixture
def judge_prompts(monkeypatch) -> list[str]:
    """Every prompt the judge model received, in order (the writer's are left out)."""
    return record_prompts(monkeypatch, "judge")


def generate(out: Path, answers: list[str], count: int, *extra: str) -> int:
    """Fake writer; a fake judge that gives ``answers`` in order, then prose (never JSON)."""
    judge = {"provider": "fake", "model": "judge", "options": {"responses": answers}}
    sets = {
        "models.default.provider": "fake",
        "models.default.model": "fake",
        "models.judge": judge,
        "critic.rules": [{"name": "llm_judge.v1", "params": {"max_parse_retries": 2}}],
        "writer.max_revisions": 0,  # one failed verdict rejects the candidate
        "store.check_reference": False,
        "store.threshold": 0.99,  # no duplicate rejects: every reject is the judge's
    }
    args = [a for key, value in sets.items() for a in ("--set", f"{key}={json.dumps(value)}")]
    return main(["generate", *args, *extra, "--count", str(count), "--out", str(out)])


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_malformed_answers_are_re_asked_then_rejected_and_the_run_completes(
    tmp_path, judge_prompts
):
    """Candidate 1: three malformed answers (the bound) -> rejected with the raw answer.
    Candidate 2: one malformed, then valid -> accepted. Two more slots: valid at once."""
    answers = [NOT_JSON, TRUNCATED, OUT_OF_RANGE, NOT_JSON, VALID, VALID, VALID]
    assert generate(tmp_path, answers, count=3) == 0

    assert len(lines(tmp_path / "reviews.jsonl")) == 3
    manifest = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["rejected"] == {"critic:llm_judge.v1": 1}
    assert manifest["usage"]["judge"]["calls"] == 7  # judge calls are counted (budgets, cost)

    (reject,) = lines(tmp_path / "rejects.jsonl")
    (verdict,) = reject["critic"]
    assert verdict["rule"] == "llm_judge.v1" and not verdict["passed"]
    assert verdict["details"]["raw"] == OUT_OF_RANGE  # what the model said, verbatim
    assert "less than or equal to 5" in verdict["details"]["parse_error"]
    assert verdict["details"]["attempts"] == 3

    # Bounded: 3 calls for the rejected candidate, 2 for the next, 1 each for the others.
    assert len(judge_prompts) == 7
    first_reask, second_reask = judge_prompts[1], judge_prompts[2]
    assert "could not be read: Expecting value" in first_reask and NOT_JSON in first_reask
    assert "could not be read: Unterminated string" in second_reask
    assert "could not be read" not in judge_prompts[3]  # a new candidate starts afresh
    assert "could not be read: Expecting value" in judge_prompts[4]


def test_a_judge_that_never_answers_in_json_ends_the_run_cleanly(tmp_path, judge_prompts):
    """Every candidate is rejected after exactly 1 + max_parse_retries calls, its raw prose
    kept; the run stops at its attempt budget (exit 3) instead of crashing or looping."""
    code = generate(
        tmp_path,
        [],
        2,
        "--set",
        "critic.rules=[{name: llm_judge.v1, params: {max_parse_retries: 1}}]",
        "--max-attempts",
        "4",
    )
    assert code == 3
    manifest = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"].startswith("budget")
    rejects = lines(tmp_path / "rejects.jsonl")
    assert len(rejects) == manifest["rejected"]["critic:llm_judge.v1"] >= 3
    for reject in rejects:
        details = reject["critic"][0]["details"]
        assert details["raw"] and "{" not in details["raw"]  # the prose the model wrote
        assert details["parse_error"] and details["attempts"] == 2
    assert len(judge_prompts) == 2 * len(rejects)
    assert manifest["accepted"] == 0


def test_transient_judge_failures_are_retried(tmp_path):
    """Every second judge call fails with a 503-like error; retries absorb them."""
    judge = {
        "provider": "fake",
        "model": "judge",
        "retry_base_delay": 0,
        "options": {"responses": [VALID] * 20, "fail_every": 2},
    }
    sets = {
        "models.default.provider": "fake",
        "models.default.model": "fake",
        "models.judge": judge,
        "critic.rules": [{"name": "llm_judge.v1"}],
        "writer.max_revisions": 0,  # a failed judge call would reject the candidate
        "store.threshold": 0.99,
    }
    args = [a for key, value in sets.items() for a in ("--set", f"{key}={json.dumps(value)}")]
    out = tmp_path / "out"
    assert main(["generate", *args, "--count", "3", "--out", str(out)]) == 0
    assert len(lines(out / "reviews.jsonl")) == 3
    rejects = out / "rejects.jsonl"
    assert not rejects.exists() or not rejects.read_text()  # no failure reached the critic
    assert json.loads((out / "run.json").read_text())["retries"] >= 1  # judge retries count


def test_the_judge_keeps_its_own_rate_limits(tmp_path, monkeypatch):
    from reviewgen.core.ratelimit import RateLimiter

    acquired = []
    original = RateLimiter.acquire

    async def counted(self):
        acquired.append(self)
        await original(self)

    monkeypatch.setattr(RateLimiter, "acquire", counted)
    judge = {
        "provider": "fake",
        "model": "judge",
        "requests_per_minute": 60000,
        "options": {"responses": [VALID] * 20},
    }
    sets = {
        "models.default.provider": "fake",
        "models.default.model": "fake",
        "models.judge": judge,
        "critic.rules": [{"name": "llm_judge.v1"}],
        "store.threshold": 0.99,
    }
    args = [a for key, value in sets.items() for a in ("--set", f"{key}={json.dumps(value)}")]
    out = tmp_path / "out"
    assert main(["generate", *args, "--count", "3", "--out", str(out)]) == 0
    calls = json.loads((out / "run.json").read_text())["usage"]["judge"]["calls"]
    assert len(acquired) == calls >= 3 and len(set(acquired)) == 1  # the writer has none
