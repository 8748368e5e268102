"""Token accounting per role, from LangChain callbacks (works for every provider)."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from reviewgen.core.ratelimit import call_tokens
from reviewgen.core.schemas import Usage


class UsageTracker(BaseCallbackHandler):
    """Adds up calls and tokens of one role; pass it in ``config={"callbacks": [...]}``."""

    run_inline = True  # cheap and thread-safe: skip LangChain's executor hop per call

    def __init__(self) -> None:
        self.usage = Usage()
        self._lock = threading.Lock()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        token_usage = (response.llm_output or {}).get("token_usage") or {}
        input_tokens = token_usage.get("input_tokens", token_usage.get("prompt_tokens", 0))
        output_tokens = token_usage.get("output_tokens", token_usage.get("completion_tokens", 0))
        if not token_usage:
            for generations in response.generations:
                for generation in generations:
                    meta = getattr(getattr(generation, "message", None), "usage_metadata", None)
                    if meta:
                        input_tokens += meta.get("input_tokens", 0)
                        output_tokens += meta.get("output_tokens", 0)
        input_tokens, output_tokens = int(input_tokens or 0), int(output_tokens or 0)
        with self._lock:
            self.usage.calls += 1
            self.usage.input_tokens += input_tokens
            self.usage.output_tokens += output_tokens
        counter = call_tokens.get()
        if counter is not None:
            counter[0] += input_tokens + output_tokens
