"""The judge chain: an LLM scores a draft's realism, aspect coverage and rating fit from 1 to 5.

Tool-calling models answer through ``with_structured_output``; models without it (a llama.cpp
completion model raises ``NotImplementedError``) are asked for JSON in plain text, which
pydantic parses. A malformed answer is re-asked a bounded number of times with the parse error
appended, since models usually fix their JSON once told what was wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableBinding
from pydantic import BaseModel, Field, ValidationError

from reviewgen.schemas import ReviewPlan

PROMPT = Path(__file__).parent / "prompts" / "judge.txt"


class JudgeScores(BaseModel):
    """The judge's answer; every score is 1 (bad) to 5 (good)."""

    realism: int = Field(ge=1, le=5, description="reads like a real customer's review")
    aspect_coverage: int = Field(ge=1, le=5, description="says something about each aspect")
    rating_match: int = Field(ge=1, le=5, description="sentiment fits the star rating")
    feedback: str = Field("", description="one or two sentences to the writer")


@dataclass
class JudgeResult:
    scores: JudgeScores | None  # None: no parseable answer within the retries
    raw: str  # the last answer as received
    parse_error: str | None
    attempts: int
    structured: bool  # True: with_structured_output, False: JSON in plain text


@cache
def _rubric() -> Template:
    return Template(PROMPT.read_text(encoding="utf-8"))


def judge_prompt(draft: str, plan: ReviewPlan, noun: str = "product") -> str:
    """The rubric prompt for one draft (``$``-placeholders, so braces and prices are safe)."""
    return _rubric().substitute(
        noun=noun,
        product=plan.product.name,
        rating=plan.rating,
        aspects=", ".join(a.replace("_", " ") for a in plan.aspects) or "(any)",
        draft=draft.strip(),
    )


MAX_ERROR_CHARS = 600  # a pydantic error quotes the input; the model needs the gist only


def _reask(error: str) -> HumanMessage:
    if len(error) > MAX_ERROR_CHARS:
        error = error[:MAX_ERROR_CHARS] + " ..."
    return HumanMessage(
        f"Your answer could not be read: {error}\n"
        "Reply with only the JSON object: integer scores 1-5 for realism, aspect_coverage and "
        "rating_match, and a feedback string."
    )


def _content_text(content: Any) -> str:
    """Message content as text; list content (Gemini, Anthropic) is its text parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
        ]
        return "".join(parts) if parts else json.dumps(content)
    return "" if content is None else str(content)


def _raw_text(message: Any) -> str:
    """The answer as received: its text, else its tool-call arguments, else the unparseable
    tool-call arguments (kept verbatim, so a reject shows what the model actually said)."""
    text = _content_text(getattr(message, "content", message))
    if text:
        return text
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}))
    invalid = getattr(message, "invalid_tool_calls", None) or []
    return str(invalid[0].get("args") or "") if invalid else ""


def parse_scores(text: str) -> JudgeScores:
    """Parse the first JSON object in ``text`` (code fences and chatter around it are fine)."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object found")
    try:
        data, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    return JudgeScores.model_validate(data)


async def _structured_attempt(runnable: Any, messages: list[BaseMessage]) -> tuple[Any, str, str]:
    out = await runnable.ainvoke(messages)
    raw = _raw_text(out.get("raw"))
    if out.get("parsed") is not None:
        return out["parsed"], raw, ""
    error = out.get("parsing_error")
    return None, raw, str(error) if error else "no structured answer"


async def _text_attempt(model: Any, messages: list[BaseMessage]) -> tuple[Any, str, str]:
    raw = _raw_text(await model.ainvoke(messages))
    try:
        return parse_scores(raw), raw, ""
    except (ValueError, ValidationError) as exc:
        return None, raw, str(exc)


async def ajudge(
    model: Any, draft: str, plan: ReviewPlan, *, noun: str = "product", max_parse_retries: int = 2
) -> JudgeResult:
    """Score ``draft``; at most ``1 + max_parse_retries`` model calls."""
    try:
        structured: Any = model.with_structured_output(JudgeScores, include_raw=True)
    except NotImplementedError:
        structured = None
    if structured is not None and isinstance(model, RunnableBinding) and model.config:
        # with_structured_output is forwarded to the bound model and drops the binding's
        # config, so the pipeline's usage-tracking callbacks would never see a judge call.
        structured = structured.with_config(model.config)
    messages: list[BaseMessage] = [HumanMessage(judge_prompt(draft, plan, noun))]
    raw, error = "", ""
    for attempt in range(1, max_parse_retries + 2):
        if structured is not None:
            scores, raw, error = await _structured_attempt(structured, messages)
        else:
            scores, raw, error = await _text_attempt(model, messages)
        if scores is not None:
            return JudgeResult(scores, raw, None, attempt, structured is not None)
        messages += [AIMessage(raw), _reask(error)]
    return JudgeResult(None, raw, error, max_parse_retries + 1, structured is not None)
