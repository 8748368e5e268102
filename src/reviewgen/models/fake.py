"""A scripted chat model for tests and dry runs (no network, deterministic).

Unlike LangChain's stock fakes it supports ``with_structured_output`` and answers by prompt
content when given a ``responder``, so concurrent calls stay deterministic.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from reviewgen.models.fake_reviews import compose_review


def render_messages(messages: Sequence[BaseMessage]) -> str:
    return "\n".join(f"{m.type}: {m.content}" for m in messages)


class TransientFakeError(ConnectionError):
    """A fake transient failure (like a 503), for retry tests."""


class FakeChatModel(BaseChatModel):
    """Answers from ``responses`` in order, else from ``responder(prompt)``, else composes a review.

    Every prompt is recorded in ``prompts`` so tests can assert on what the chain sent.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    responses: list[str] = Field(default_factory=list)
    responder: Callable[[str], str] | None = None
    latency: float = 0.0
    cycle: bool = False
    fail_every: int = 0  # every n-th call raises TransientFakeError (0 = never)
    model_name: str = "fake"
    _prompts: list[str] = PrivateAttr(default_factory=list)
    _cursor: int = PrivateAttr(default=0)
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def prompts(self) -> list[str]:
        """Every prompt received, in order (private, so it is not serialised per call)."""
        return self._prompts

    @property
    def _llm_type(self) -> str:
        return "reviewgen-fake"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _answer(self, prompt: str) -> str:
        with self._lock:
            self._prompts.append(prompt)
            self._calls += 1
            if self.fail_every and self._calls % self.fail_every == 0:
                raise TransientFakeError("fake transient failure (503)")
            if self._cursor < len(self.responses):
                text = self.responses[self._cursor]
                self._cursor += 1
                if self.cycle and self._cursor == len(self.responses):
                    self._cursor = 0
                return text
        if self.responder is not None:
            return self.responder(prompt)
        return compose_review(prompt)

    def _result(self, prompt: str, text: str) -> ChatResult:
        tokens_in, tokens_out = len(prompt.split()), len(text.split())
        usage = {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
        message = AIMessage(content=text, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = render_messages(messages)
        if self.latency:
            time.sleep(self.latency)
        return self._result(prompt, self._answer(prompt))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = render_messages(messages)
        if self.latency:
            await asyncio.sleep(self.latency)
        return self._result(prompt, self._answer(prompt))

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> FakeChatModel:
        return self

    def with_structured_output(
        self, schema: type[BaseModel] | dict[str, Any], *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable:
        """Parse the scripted answer as JSON into ``schema``, as a tool-calling model would."""

        def parse(message: AIMessage) -> Any:
            text = str(message.content)
            match = re.search(r"\{.*\}", text, re.DOTALL)
            try:
                data = json.loads(match.group(0) if match else text)
                parsed: Any = schema.model_validate(data) if isinstance(schema, type) else data
                error = None
            except Exception as exc:
                if not include_raw:
                    raise
                parsed, error = None, exc
            if include_raw:
                return {"raw": message, "parsed": parsed, "parsing_error": error}
            return parsed

        return self | RunnableLambda(parse)
