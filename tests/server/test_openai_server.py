"""The whole pipeline through a real OpenAI-compatible server (llama.cpp's, SmolLM2-135M).

Chat writer with revisions, LLM judge and persona backstories with structured output, token
usage and cost from the server's own answers. The fault proxy runs in pass-through here, so the
test sees every status the server sent.
"""

from __future__ import annotations

import asyncio
import json
import random
import re

import pytest

from reviewgen.chains.exemplars import default_exemplars
from reviewgen.chains.writer import Draft, Writer
from reviewgen.core.errors import PromptTooLong
from reviewgen.core.retry import RetryPolicy, with_retries
from reviewgen.core.schemas import CriticReport, ReviewRecord, Verdict
from reviewgen.models.providers import OpenAIProvider, build_model
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from reviewgen.text.aspects import AspectLexicon
from tests.critic_rules.conftest import make_plan
from tests.server.conftest import server_overrides
from tests.server.fault_proxy import FaultProxy

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a busy machine is slow
MARKUP = re.compile(
    r"\[/?INST\]|<<SYS>>|<\|[^|]+\|>|<(?:start|end)_of_turn>|^\s*assistant:", re.I | re.M
)


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_pipeline_runs_through_a_real_server(llama_server, tmp_path):
    with FaultProxy(llama_server.port) as proxy:
        config = load_config(None, [*server_overrides(proxy.url), "run.count=3", "run.seed=5"])
        result = generate(config, tmp_path)
    records = [ReviewRecord.model_validate(r) for r in read(tmp_path / "reviews.jsonl")]
    assert result.status == "complete" and len(records) == 3
    assert sorted(r.slot for r in records) == [0, 1, 2]
    assert {status for _, status, _ in proxy.served} == {200}  # every prompt fitted the context
    for record in records:
        assert record.text.strip() and not MARKUP.search(record.text)
        (judge,) = [v for v in record.critic if v.rule == "llm_judge.v1"]
        assert judge.passed and set(judge.details["scores"]) == {
            "realism",
            "aspect_coverage",
            "rating_match",
        }
        assert record.models["writer"] == "openai:smollm2"
    # Backstories came back as structured output for most personas (a bad answer is re-asked).
    assert sum(bool(r.persona.backstory) for r in records) >= 1
    for role in ("writer", "judge", "persona"):
        usage = result.usage[role]
        assert usage.calls > 0 and usage.input_tokens > 0 and usage.output_tokens > 0
    price = config.prices["openai:smollm2"]
    expected = sum(
        u.input_tokens * price.input_per_million / 1e6
        + u.output_tokens * price.output_per_million / 1e6
        for u in result.usage.values()
    )
    assert result.cost == pytest.approx(expected) and result.cost > 0
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["status"] == "complete" and manifest["cost"] == round(expected, 6)


def chat_writer(url: str, context_window: int | None) -> Writer:
    config = load_config(None, server_overrides(url))
    model = build_model(config.models.default)
    return Writer(
        model,
        mode="chat",
        category=config.category,
        pool=default_exemplars(AspectLexicon(config.category.aspects)),
        exemplars=4,
        context_window=context_window,
        answer_tokens=config.models.default.max_tokens,
    )


def revise(writer: Writer, turns: int) -> Draft:
    """A revision after ``turns`` earlier drafts, each long (about 350 tokens)."""
    plan, rng = make_plan(2, ["battery"], 30), random.Random(3)
    earlier = "The battery drains fast when I use the maps and the screen dims in the sun. " * 20
    history = tuple((earlier, "- Say less about the screen.") for _ in range(turns - 1))
    previous = Draft(earlier, writer.pool.draw(plan, 4, rng), history)
    report = CriticReport([Verdict(rule="length.v1", passed=False, feedback="Make it shorter.")])
    policy = RetryPolicy(attempts=1, errors=OpenAIProvider.errors)
    call = with_retries(
        lambda: writer.draft(plan, rng, previous=previous, report=report), policy, rng
    )
    return asyncio.run(call)


def test_revision_history_is_bounded_by_the_context_window(llama_server):
    # Unbounded, five long turns outgrow the server's 2,048 tokens and the server refuses
    # (read as PromptTooLong: a rejected candidate). Told a 1,024-token window, the writer
    # leaves out the older turns and examples, and the server answers.
    with pytest.raises(PromptTooLong, match="maximum context length is 2048"):
        revise(chat_writer(llama_server.url, None), 5)
    draft = revise(chat_writer(llama_server.url, 1024), 5)
    assert draft.text and len(draft.turns) == 1 and len(draft.exemplars) < 4
