"""``markup.v1``: reject drafts that carry prompt or chat-template markup, or the writer's own
instructions echoed back.

A model behind an OpenAI-compatible server with the wrong chat template writes the template's
tokens into its answer (a review that began with ``<<SYS>>`` and ended with ``[INST] <<SYS>>``
passed every other rule, issue 23); a small instruct model repeats its prompt ("About you:
18-24 years old, ...", "Rewrite your review to fix these problems ..."). Three kinds of tell:

- template tokens: ``[INST]``, ``<<SYS>>``, ``<start_of_turn>``, ``<|im_start|>`` and any
  ``<|...|>`` special token, ``<s>``/``</s>``, ``<bos>``/``<eos>``;
- a role label opening a line (``assistant:``, ``User:``, ``### Response:``);
- an echo: a run of ``echo_words`` words from the writer's prompts (``chains/prompts/*.txt``,
  read at import, so a reworded prompt is covered without editing this rule), from the
  persona and style the plan described, or a prompt label (``About you:``, ``Rating: ... out
  of 5 stars``) opening a line.

Real reviews trip none of these (``benchmarks/bench_markup.py``, docs/CRITIC_RULES.md).
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.chains.writer import PROMPTS, describe_persona, describe_style
from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule

# The writer's own prompts: what a model may echo into its review.
ECHO_SOURCES = ("chat_system.txt", "chat_user.txt", "chat_revise.txt", "completion_example.txt")

_TEMPLATE_TOKENS = re.compile(
    r"\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>|<\|[^|<>\s]{1,40}\|>|</?s>|<(?:bos|eos)>",
    re.IGNORECASE,
)
_ROLE_LABEL = re.compile(
    r"^\W{0,3}(?:assistant|user|system|human)\s*:|^\s*#{2,}\s*(?:instruction|response|input"
    r"|system|assistant|user)\b",
    re.IGNORECASE | re.MULTILINE,
)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_FIELD = re.compile(r"\s*\w+(?: \w+){0,2}:")  # a line naming a field: "Length: about {length}"
MIN_LABEL_CHARS = 9  # "About you:"; shorter labels ("Product:", "Review:") are common words


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _literal(part: str) -> str:
    return r"\s+".join(map(re.escape, part.split()))


@cache
def _prompt_lines() -> tuple[str, ...]:
    return tuple(
        line
        for name in ECHO_SOURCES
        for line in (PROMPTS / name).read_text(encoding="utf-8").splitlines()
    )


@cache
def _prompt_ngrams(n: int) -> frozenset[tuple[str, ...]]:
    """Every run of ``n`` words of prompt text (runs do not span a placeholder)."""
    return frozenset(
        gram
        for line in _prompt_lines()
        for part in _PLACEHOLDER.split(line)
        for gram in _ngrams(_words(part), n)
    )


@cache
def _label_pattern() -> re.Pattern[str]:
    """A prompt line that names a field ("About you: {persona}.", "Rating: {rating} out of 5
    stars") opening a line of the draft: its literal parts with anything between them."""
    labels = []
    for line in _prompt_lines():
        parts = [part for part in _PLACEHOLDER.split(line) if any(c.isalpha() for c in part)]
        if not _PLACEHOLDER.search(line) or not parts or not _FIELD.match(parts[0]):
            continue
        if sum(len(part.strip()) for part in parts) < MIN_LABEL_CHARS:
            continue
        labels.append(r".{1,80}?".join(_literal(part) for part in parts))
    return re.compile(rf"^\W{{0,3}}(?:{'|'.join(labels)})", re.IGNORECASE | re.MULTILINE)


class MarkupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    echo_words: int = Field(
        6, ge=3, le=20, description="words in a row copied from the prompt that count as an echo"
    )
    extra_markers: list[str] = Field(
        default_factory=list, description="more literal strings that fail a draft"
    )


@register_rule("markup.v1")
class MarkupRule(CriticRule):
    """Fail on template tokens, role labels, prompt labels or an echo of the prompt."""

    Params = MarkupParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: MarkupParams = self.params  # type: ignore[assignment]
        found: dict[str, list[str]] = {}
        tokens = _TEMPLATE_TOKENS.findall(draft)
        tokens += [m for m in p.extra_markers if m in draft]
        if tokens:
            found["template_tokens"] = tokens
        labels = [m.strip() for m in _ROLE_LABEL.findall(draft)]
        labels += [m.strip() for m in _label_pattern().findall(draft)]
        if labels:
            found["labels"] = labels
        echoed = self._echo(draft, context, p.echo_words)
        if echoed:
            found["echo"] = echoed
        if not found:
            return self.ok()
        return self.fail(
            "Write only the review text: no chat-template tokens, role labels or words copied "
            "from your instructions.",
            1 / (1 + sum(len(v) for v in found.values())),
            **found,
        )

    @staticmethod
    def _echo(draft: str, context: CriticContext, n: int) -> list[str]:
        words = _words(draft)
        if len(words) < n:
            return []
        planned = [
            describe_persona(context.plan.persona, context.category_noun),
            describe_style(context.plan.persona),
        ]
        sources = set(_prompt_ngrams(n))
        for text in planned:
            sources.update(_ngrams(_words(text), n))
        return [" ".join(gram) for gram in dict.fromkeys(_ngrams(words, n)) if gram in sources]
