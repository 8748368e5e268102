"""Back-translation through the configured model: English -> pivot language -> English.

The model is any LangChain ``Runnable`` taking a string (chat model or completion LLM). Both
legs are cached per text and model. A round trip that comes back empty, unchanged, far longer
or shorter, or without a protected term is not used: the op returns the input and says why in
``changes``. Quality depends entirely on the model: the embedded Gemma 3 270M, a small base
model, does not translate (it continues writing reviews); use a capable provider for this op.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from reviewgen.augment.base import AugmentResult, OpParams, missing_protected, protected_in
from reviewgen.augment.llm import AnswerCache, CachedModel
from reviewgen.core.registry import Component, augmenters

_PREAMBLE_RE = re.compile(
    r"^(?:here(?: is|'s) (?:the |a |my )?translation[^:\n]*:|(?:\w+ )?translation\s*:)\s*",
    re.IGNORECASE,
)


def clean_translation(answer: str) -> str:
    """Strip the wrapping models add: a 'Translation:' preamble, quotes, a trailing note."""
    text = _PREAMBLE_RE.sub("", answer.strip())
    text = text.split("\n\n")[0].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'«“”":
        text = text[1:-1].strip()
    return text.strip("“”").strip()


@augmenters.register("backtranslate.v1")
class BackTranslate(Component):
    """Paraphrase by a round trip through a pivot language."""

    class Params(OpParams):
        pivot: str = Field("French", description="pivot language, by name")
        source: str = Field("English", description="language of the reviews")
        cache: bool = Field(True, description="reuse answers cached per text and model")
        max_length_ratio: float = Field(
            2.0, gt=1.0, description="reject a round trip this many times longer or shorter"
        )

    PROMPT = (
        "Translate this {src} product review into {dst}. Keep these terms exactly as written: "
        "{keep}. Reply with the translation only.\n\n{text}"
    )

    @staticmethod
    def needs_model(params: Params) -> bool:
        return True

    def __init__(
        self,
        params: Params | None = None,
        *,
        model: Any = None,
        cache: AnswerCache | None = None,
        model_label: str | None = None,
    ) -> None:
        self.params = params or self.Params()
        self._model = CachedModel(model, cache, model_label, use_cache=self.params.cache)

    def _translate(self, text: str, src: str, dst: str, keep: list[str]) -> str:
        prompt = self.PROMPT.format(
            src=src, dst=dst, keep=", ".join(keep) if keep else "(none)", text=text
        )
        return clean_translation(self._model.ask(prompt))

    def apply(self, text: str, rng: random.Random) -> AugmentResult:
        """Deterministic given the model's answers; ``rng`` is unused (the cache fixes them)."""
        keep = protected_in(text, self.params.protected)
        pivot = self._translate(text, self.params.source, self.params.pivot, keep)
        back = self._translate(pivot, self.params.pivot, self.params.source, keep) if pivot else ""
        changes: dict[str, Any] = {
            "pivot": self.params.pivot,
            "model": self._model.label,
            "pivot_text": pivot,
        }
        rejected = None
        ratio_limit = self.params.max_length_ratio
        if not back:
            rejected = "empty translation"
        elif back == text:
            rejected = "unchanged"
        elif not 1 / ratio_limit <= (ratio := len(back) / len(text)) <= ratio_limit:
            rejected = f"length changed {ratio:.1f}x"
        elif lost := missing_protected(text, back, self.params.protected):
            rejected = f"lost {', '.join(lost)}"
        if rejected:
            return AugmentResult(text, {**changes, "back_text": back, "rejected": rejected})
        return AugmentResult(back, changes)
