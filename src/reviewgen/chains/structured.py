"""Ask a model for a pydantic object, re-asking with the parse error a bounded number of times.

Tool-calling models answer through ``with_structured_output``; models without it (a llama.cpp
completion model raises ``NotImplementedError``) are asked for JSON in plain text, which
pydantic parses. Models usually fix their JSON once told what was wrong, so the parse error is
sent back; after the bound the caller gets the raw answer and the error, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableBinding
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)
MAX_ERROR_CHARS = 600  # a pydantic error quotes the input; the model needs the gist only


@dataclass
class StructuredResult(Generic[T]):
    value: T | None  # None: no parseable answer within the retries
    raw: str  # the last answer as received
    parse_error: str | None
    attempts: int
    structured: bool  # True: with_structured_output, False: JSON in plain text


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


def raw_text(message: Any) -> str:
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


def parse_json_object(text: str, schema: type[T]) -> T:
    """Parse the first JSON object in ``text`` (code fences and chatter around it are fine)."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object found")
    try:
        data, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    return schema.model_validate(data)


def _reask(error: str, instruction: str) -> HumanMessage:
    if len(error) > MAX_ERROR_CHARS:
        error = error[:MAX_ERROR_CHARS] + " ..."
    return HumanMessage(f"Your answer could not be read: {error}\n{instruction}")


async def ask_structured(
    model: Any,
    schema: type[T],
    prompt: str,
    *,
    reask_instruction: str,
    max_parse_retries: int = 2,
) -> StructuredResult[T]:
    """At most ``1 + max_parse_retries`` model calls."""
    try:
        structured: Any = model.with_structured_output(schema, include_raw=True)
    except NotImplementedError:
        structured = None
    if structured is not None and isinstance(model, RunnableBinding) and model.config:
        # with_structured_output is forwarded to the bound model and drops the binding's
        # config, so the pipeline's usage-tracking callbacks would never see the call.
        structured = structured.with_config(model.config)
    messages: list[BaseMessage] = [HumanMessage(prompt)]
    raw, error = "", ""
    for attempt in range(1, max_parse_retries + 2):
        value: T | None = None
        if structured is not None:
            out = await structured.ainvoke(messages)
            raw = raw_text(out.get("raw"))
            value = out.get("parsed")
            if value is None:
                error = str(out.get("parsing_error") or "no structured answer")
        else:
            raw = raw_text(await model.ainvoke(messages))
            try:
                value = parse_json_object(raw, schema)
            except (ValueError, ValidationError) as exc:
                error = str(exc)
        if value is not None:
            return StructuredResult(value, raw, None, attempt, structured is not None)
        messages += [AIMessage(raw), _reask(error, reask_instruction)]
    return StructuredResult(None, raw, error, max_parse_retries + 1, structured is not None)
