"""persona.enrich: a chat model adds a backstory through structured output, or the persona
stays as sampled (malformed answers re-asked, never a crash); base models are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewgen.core.errors import ConfigError
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from tests.helpers import record_prompts

STORY = "Works night shifts at a hospital and needed a phone that lasts until morning."


def run(tmp_path: Path, answers: list[str], count: int = 3, persona: dict | None = None):
    spec = persona or {"provider": "fake", "model": "persona", "options": {"responses": answers}}
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "models.default.model=fake",
            f"models.persona={json.dumps(spec)}",
            "persona.enrich=true",
            f"run.count={count}",
            "store.threshold=0.99",
        ],
    )
    result = generate(config, tmp_path)
    records = [json.loads(x) for x in (tmp_path / "reviews.jsonl").read_text().splitlines()]
    manifest = json.loads((tmp_path / "run.json").read_text())
    return result, records, manifest


def test_backstories_reach_the_persona_and_the_writer_prompt(tmp_path, monkeypatch):
    prompts = record_prompts(monkeypatch, "fake")  # the writer's
    valid = json.dumps({"backstory": STORY})
    result, records, manifest = run(tmp_path, [valid] * 10)
    assert len(records) == 3 and all(r["persona"]["backstory"] == STORY for r in records)
    assert STORY in prompts[0]
    assert manifest["usage"]["persona"]["calls"] >= 3
    assert records[0]["models"]["persona"] == "fake:persona"
    assert result.stats.backstories_missing == 0


def test_malformed_answers_are_re_asked_then_the_persona_goes_without(tmp_path):
    valid = json.dumps({"backstory": STORY})
    # slot 1: two bad answers then a good one; the later slots: prose only (never JSON)
    answers = ["not json", '{"backstory": "x"}', valid]
    result, records, manifest = run(tmp_path, answers)
    assert len(records) == 3 and result.status == "complete"
    stories = [r["persona"]["backstory"] for r in records]
    assert stories.count(STORY) == 1 and stories.count(None) == 2
    assert result.stats.backstories_missing == 2
    assert manifest["usage"]["persona"]["calls"] == 3 + 2 * 3  # 1 + max_parse_retries each


def test_a_base_model_cannot_enrich(tmp_path, monkeypatch):
    from langchain_core.language_models.fake import FakeListLLM

    from reviewgen.pipeline import build as pipeline

    build = pipeline.build_model
    monkeypatch.setattr(
        pipeline,
        "build_model",
        lambda spec, **kw: (
            FakeListLLM(responses=["x"]) if spec.model == "persona" else build(spec, **kw)
        ),
    )
    with pytest.raises(ConfigError, match=r"models\.persona"):
        run(tmp_path, [])


def test_the_persona_model_keeps_its_own_retry_policy(tmp_path):
    # Its spec allows 2 attempts (the writer's 5): every call fails transiently, so each slot
    # tries twice, then goes without a backstory.
    spec = {
        "provider": "fake",
        "model": "persona",
        "retries": 2,
        "retry_base_delay": 0,
        "options": {"fail_every": 1},
    }
    result, records, _ = run(tmp_path, [], persona=spec)
    assert len(records) == 3 and result.stats.backstories_missing == 3
    assert result.stats.retries == 3  # one retry per slot
