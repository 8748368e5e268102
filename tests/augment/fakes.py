"""A scripted chat model and a toy translator for augmentation tests (no network)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class RuleChatModel(BaseChatModel):
    """Answers each prompt with ``rule(prompt)`` and counts the calls."""

    rule: Callable[[str], str]
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "rule-fake"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"name": "rule-fake"}

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs):
        self.calls += 1
        answer = self.rule(str(messages[-1].content))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=answer))])


# A toy "translator": English <-> Pig-French by swapping a few words, enough to round-trip.
TO_FRENCH = {"great": "génial", "phone": "téléphone", "the": "le", "is": "est", "and": "et"}
FROM_FRENCH = {"génial": "excellent", "téléphone": "phone", "le": "the", "est": "is", "et": "and"}


def translate(prompt: str) -> str:
    text = prompt.split("\n\n", 1)[1]
    table = TO_FRENCH if "into French" in prompt else FROM_FRENCH
    return "Translation: " + re.sub(
        r"[A-Za-zéè]+", lambda m: table.get(m.group().lower(), m.group()), text
    )
