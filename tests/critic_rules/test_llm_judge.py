"""llm_judge.v1 and the judge chain, on a scripted fake model."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from reviewgen.chains import judge as judge_chain
from reviewgen.chains import structured
from reviewgen.critic_rules import llm_judge
from reviewgen.models.fake import FakeChatModel, render_messages
from reviewgen.pipeline.critic import Critic

from .conftest import make_context, make_plan, make_rule

DRAFT = "Had it a month. The battery gets me through a long shift and it cost $499."
LABELS = {"writer": "llamacpp:gemma3-270m", "judge": "openai:gpt-4.1-mini"}


def answer(realism: int = 4, coverage: int = 4, match: int = 5, feedback: str = "") -> str:
    return json.dumps(
        {
            "realism": realism,
            "aspect_coverage": coverage,
            "rating_match": match,
            "feedback": feedback,
        }
    )


class TextOnlyModel(FakeChatModel):
    """A model without tool calling, like a llama.cpp completion model."""

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def judge(model: FakeChatModel, params: dict[str, Any] | None = None, labels=LABELS, **ctx):
    context = make_context(models={"judge": model}, model_labels=dict(labels), **ctx)
    return asyncio.run(make_rule("llm_judge.v1", params).acheck(DRAFT, context))


@pytest.fixture(autouse=True)
def fresh_warning_state(monkeypatch):
    monkeypatch.setattr(llm_judge, "_warned_labels", set())


def test_good_scores_pass():
    model = FakeChatModel(responses=[answer(4, 4, 5)])
    verdict = judge(model)
    assert verdict.passed
    assert verdict.details["scores"] == {"realism": 4, "aspect_coverage": 4, "rating_match": 5}
    assert verdict.score == pytest.approx((3 + 3 + 4) / 12)
    assert verdict.details["attempts"] == 1
    assert "self_preference_risk" not in verdict.details
    assert len(model.prompts) == 1


def test_prompt_carries_the_plan_and_draft():
    model = FakeChatModel(responses=[answer()])
    judge(model, rating=2, aspects=["battery", "customer_service"])
    prompt = model.prompts[0]
    assert "Pixel Test Phone" in prompt and "2 out of 5" in prompt
    assert "battery, customer service" in prompt
    assert DRAFT in prompt  # "$499" survives templating


def test_low_score_fails_with_the_judges_feedback():
    model = FakeChatModel(
        responses=[answer(2, 4, 4, "Sounds like an advert; say what you use it for.")]
    )
    verdict = judge(model)
    assert not verdict.passed
    assert verdict.feedback == "Sounds like an advert; say what you use it for."
    assert verdict.details["low_scores"] == ["realism"]


def test_low_score_without_feedback_gets_generic_advice():
    verdict = judge(FakeChatModel(responses=[answer(4, 1, 2)]))
    assert verdict.details["low_scores"] == ["aspect_coverage", "rating_match"]
    assert verdict.feedback == (
        "Say something concrete about each topic you were given. Make the tone fit the star rating."
    )


def test_min_score_param():
    assert not judge(FakeChatModel(responses=[answer(4, 4, 4)]), {"min_score": 5}).passed


def test_malformed_answer_is_re_asked_then_succeeds():
    model = FakeChatModel(responses=['{"realism": 4, "aspect_coverage": ', answer()])
    verdict = judge(model)
    assert verdict.passed
    assert verdict.details["attempts"] == 2
    assert "could not be read" in model.prompts[1]


def test_out_of_range_score_is_re_asked():
    model = FakeChatModel(responses=[answer(realism=7), answer()])
    verdict = judge(model)
    assert verdict.passed
    assert "less than or equal to 5" in model.prompts[1]


def test_gives_up_after_max_retries_and_keeps_the_raw_answer():
    model = FakeChatModel(responses=["I think it is fine."] * 5)
    verdict = judge(model)
    assert not verdict.passed
    assert verdict.details["raw"] == "I think it is fine."
    assert verdict.details["parse_error"]
    assert verdict.details["attempts"] == 3
    assert len(model.prompts) == 3


def test_retries_are_bounded_by_the_param():
    model = FakeChatModel(responses=["nope"] * 5)
    judge(model, {"max_parse_retries": 0})
    assert len(model.prompts) == 1


def test_models_without_tool_calling_answer_in_text():
    fenced = f"Here you go:\n```json\n{answer(5, 4, 4)}\n```"
    result = asyncio.run(judge_chain.ajudge(TextOnlyModel(responses=[fenced]), DRAFT, make_plan()))
    assert result.structured is False
    assert result.value is not None and result.value.realism == 5


def test_completion_models_answer_in_text():
    model = FakeListLLM(responses=[answer(3, 3, 3)])
    result = asyncio.run(judge_chain.ajudge(model, DRAFT, make_plan()))
    assert result.structured is False
    assert result.value is not None and result.value.rating_match == 3


def test_text_mode_re_asks_too():
    model = TextOnlyModel(responses=["{realism: 4}", answer()])
    assert judge(model).passed
    assert len(model.prompts) == 2


def test_warns_once_when_judge_is_the_writer():
    same = {"writer": "openai:gpt-4.1-mini", "judge": "openai:gpt-4.1-mini"}
    model = FakeChatModel(responses=[answer(), answer()])
    with pytest.warns(UserWarning, match="self|same model"):
        verdict = judge(model, labels=same)
    assert verdict.details["self_preference_risk"] is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert judge(model, labels=same).details["self_preference_risk"] is True


def test_missing_judge_model_is_a_failed_verdict_in_the_critic():
    rule = make_rule("llm_judge.v1")
    report = asyncio.run(Critic([rule]).review(DRAFT, make_context()))
    assert not report.passed
    assert "models.judge" in report.verdicts[0].details["error"]


class StructuredReply(FakeChatModel):
    """A tool-calling model whose structured reply is the given raw message, unparsed."""

    reply: Any = None
    error: str = "bad args"

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:
        def answer(messages: Any) -> dict:
            self._prompts.append(render_messages(messages))
            return {"raw": self.reply, "parsed": None, "parsing_error": ValueError(self.error)}

        return RunnableLambda(answer)


def test_unparseable_tool_call_arguments_are_kept_as_the_raw_answer():
    """A model calling the tool with broken JSON: the reject shows its arguments verbatim."""
    broken = AIMessage(
        content="",
        invalid_tool_calls=[
            {"name": "JudgeScores", "args": '{"realism": 4,', "id": "1", "error": "bad"}
        ],
    )
    verdict = judge(StructuredReply(reply=broken), {"max_parse_retries": 1})
    assert not verdict.passed
    assert verdict.details["raw"] == '{"realism": 4,'
    assert verdict.details["attempts"] == 2


def test_list_content_is_read_as_its_text_parts():
    """Gemini-style content blocks: the JSON inside the text part is what gets parsed."""
    reply = AIMessage(content=[{"type": "text", "text": answer(5, 5, 5)}])
    assert structured.raw_text(reply) == answer(5, 5, 5)
    assert (
        structured.parse_json_object(structured.raw_text(reply), judge_chain.JudgeScores).realism
        == 5
    )


def test_a_long_parse_error_is_shortened_in_the_re_ask():
    """Parsers may quote the whole completion in their error; the re-ask keeps only its start."""
    model = StructuredReply(reply=AIMessage(content="{}"), error="Failed to parse: " + "y" * 5000)
    judge(model, {"max_parse_retries": 1})
    reask = model.prompts[1].rsplit("human: ", 1)[1]
    assert reask.startswith("Your answer could not be read: Failed to parse: yyy")
    assert len(reask) < 1000


def test_a_provider_error_is_a_failed_verdict_without_the_key(monkeypatch):
    """The error is kept for the rejects file, with API key values replaced by their name."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-canary-0123456789")

    class Unauthorized(FakeChatModel):
        def _answer(self, prompt: str) -> str:
            raise PermissionError("401 Incorrect API key provided: sk-test-canary-0123456789")

    verdict = judge(Unauthorized())
    assert not verdict.passed
    assert verdict.details["error"].startswith("PermissionError: 401")
    assert "sk-test-canary" not in verdict.details["error"]
    assert "[OPENAI_API_KEY]" in verdict.details["error"]
