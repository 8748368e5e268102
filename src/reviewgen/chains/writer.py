"""The writer chain: prompt | model, then clean-up, in two styles.

*Completion* style (base models such as the embedded Gemma 270M) writes a document of real-looking
reviews and lets the model continue it: small base models imitate examples far better than they
follow instructions. *Chat* style (instruct and cloud models) gives the persona and the critic's
feedback as instructions. Base models cannot read feedback, so in completion style a revision
is a new sample from the same document: llama.cpp keeps the evaluated prompt, so it costs only
the generation (on 2 cores, evaluating a 450-token prompt takes longer than writing 40 tokens).

Either prompt is fitted to the model's context window: completion style drops its longest
examples; chat style drops the oldest revision turns first, then the longest examples, and
a prompt that still does not fit is ``PromptTooLong`` (its candidate is rejected, never sent).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate

from reviewgen.chains.exemplars import Exemplar, ExemplarPool
from reviewgen.chains.length_follow import LengthFollow
from reviewgen.chains.vocabulary import VocabularyBias
from reviewgen.core.config import Category
from reviewgen.core.errors import PromptTooLong
from reviewgen.core.schemas import CriticReport, Persona, ReviewPlan, persona_traits
from reviewgen.core.seeds import item_rng
from reviewgen.text.words import word_count

PROMPTS = Path(__file__).parent / "prompts"
PROMPT_HEADERS = ("Product:", "Topics:", "Rating:", "Length:", "Review:")
STOP = [*PROMPT_HEADERS, "\n"]  # examples are one line each
STAR_MEANING = {
    1: "you are unhappy",
    2: "mostly disappointed",
    3: "mixed feelings",
    4: "happy, with a small complaint",
    5: "very happy",
}
TOKENS_PER_WORD = 1.5
EMPTY_RETRIES = 3
# A completion draft for a target of CONTINUE_FROM words or more that misses more than
# CONTINUE_BELOW of it is continued from where the model stopped, up to CONTINUATIONS times
# (a short draft is as cheap to sample again). Two were too few for long targets: asked for
# 274 words, the tuned writer wrote 71 (docs/HISTORY.md, the length line). A draft asked for
# its length (the length line) is continued from CONTINUE_BELOW_ASKED short: asked for more,
# the tuned writer still wrote two thirds of targets over 115 words, short of the target and
# of the continuation (docs/HISTORY.md, length following).
CONTINUE_FROM = 40
CONTINUE_BELOW = 0.4
CONTINUE_BELOW_ASKED = 0.2
CONTINUATIONS = 6
OPENERS = ("I", "The", "It", "Also", "My", "But")
CLOSE_UP = ",.;:!?'’"  # a continuation starting with one of these joins without a space
# Without the model's tokenizer: English runs about 4 characters a token in BPE vocabularies,
# so 3 over-counts (a prompt that fits by this estimate fits), plus each message's template.
CHARS_PER_TOKEN_ESTIMATE = 3
TOKENS_PER_MESSAGE = 8


def estimate_tokens(text: str) -> int:
    """A conservative token count for a model whose tokenizer is not at hand."""
    return math.ceil(len(text) / CHARS_PER_TOKEN_ESTIMATE)


def _template(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


@dataclass
class Draft:
    text: str
    exemplars: list[Exemplar]
    # Chat style: the earlier drafts of this candidate and the feedback each got, oldest first
    # (the revision history the next revision is asked with).
    turns: tuple[tuple[str, str], ...] = ()


def clean(text: str, length_target: int) -> str:
    """Keep only the review: drop leaked headers, quotes and a sentence cut off by the token cap."""
    text = text.replace("\r", "").lstrip()
    if text.startswith(PROMPT_HEADERS):  # the model skipped the review and began a new one
        return ""
    for header in (*PROMPT_HEADERS, "\n\n"):
        cut = text.find("\n" + header) if header != "\n\n" else text.find(header)
        if cut > 0:
            text = text[:cut]
    text = re.sub(r"^\s*(review|title)\s*:\s*", "", text.strip(), flags=re.IGNORECASE)
    text = text.strip().strip('"').strip()
    # Keep line breaks (a critic rule looks for headings and lists), tidy the spaces.
    text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if text and text[-1] not in ".!?)" and word_count(text) > length_target * 1.2:
        last_end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
        if last_end > len(text) // 2:
            text = text[: last_end + 1]
    return text


def describe_persona(persona: Persona, noun: str) -> str:
    parts = [
        prompt.format(value=value, noun=noun)
        for name, _, prompt in persona_traits()
        if (value := getattr(persona, name))
    ]
    if persona.backstory:
        parts.append(persona.backstory)
    return ", ".join(parts)


def describe_style(persona: Persona) -> str:
    style = persona.style
    notes = {
        "terse": "short and to the point",
        "normal": "a few plain sentences",
        "chatty": "chatty, with a small personal story",
    }[style.verbosity]
    extras = []
    if style.slang:
        extras.append("casual words")
    if style.emoji:
        extras.append("maybe one emoji")
    if style.punctuation == "excited":
        extras.append("exclamation marks")
    if style.punctuation == "minimal":
        extras.append("little punctuation")
    return notes + (", " + ", ".join(extras) if extras else "")


class Writer:
    """Drafts one review for a plan; the LangChain chain is ``prompt | model`` (+ clean-up)."""

    def __init__(
        self,
        model: BaseLanguageModel,
        *,
        mode: str,
        category: Category,
        pool: ExemplarPool,
        exemplars: int,
        per_call_sampling: bool = False,
        callbacks: list[Any] | None = None,
        vocabulary: VocabularyBias | None = None,
        context_window: int | None = None,
        answer_tokens: int = 256,
        count_tokens: Callable[[str], int] = estimate_tokens,
        length_line: bool = False,
    ) -> None:
        if mode not in {"chat", "completion"}:
            raise ValueError("mode must be chat or completion")
        # Callbacks (token accounting) sit on the model alone: per-step chain callbacks cost
        # more than the rest of the pipeline's work per draft.
        self.model = model.with_config(callbacks=callbacks) if callbacks else model
        self.mode = mode
        self.category = category
        self.pool = pool
        self.k = exemplars
        self.per_call_sampling = per_call_sampling  # seed and token cap per draft (llama.cpp)
        self.vocabulary = vocabulary  # completion style only: a logit bias toward real words
        # Completion style: a ``Length: N words`` header line, for a model tuned under it
        # (``reviewgen tune``); a base model reads few-shot examples, not a word count.
        self.length_line = length_line
        # A model follows that line loosely: the header asks for what it turns into the target.
        self.length_follow = LengthFollow() if length_line and mode == "completion" else None
        # Chat style: prompt plus answer must fit ``context_window`` tokens (None: unbounded);
        # the answer may take ``answer_tokens`` (the model's max_tokens).
        self.context_window = context_window
        self.answer_tokens = answer_tokens
        self.count_tokens = count_tokens
        self.title = (
            f"Customer reviews of {category.name} products from verified buyers on an online store."
        )
        self.completion_prompt = PromptTemplate.from_template(_template("completion.txt"))
        self.example_template = _template("completion_example.txt")
        # Chat prompts are plain ``str.format`` templates: the messages LangChain's
        # ChatPromptTemplate would build, at a fifth of its cost per draft.
        self.chat_system = _template("chat_system.txt")
        self.chat_user = _template("chat_user.txt")
        self.chat_revise = _template("chat_revise.txt")

    @staticmethod
    def _max_tokens(plan: ReviewPlan) -> int:
        return int(plan.length_target * TOKENS_PER_WORD * 1.6) + 16

    def _bound_model(self, plan: ReviewPlan, rng: random.Random, **extra: Any) -> Any:
        options = dict(extra)
        if self.per_call_sampling:
            options["seed"] = rng.randrange(2**31)
            options["max_tokens"] = self._max_tokens(plan)
        return self.model.bind(**options) if options else self.model

    def _fitting(
        self, exemplars: list[Exemplar], plan: ReviewPlan, variables: dict[str, Any]
    ) -> list[Exemplar]:
        """Drop the longest examples until the prompt leaves the review room in the model's
        context: four 390-word reference reviews alone overflow llama.cpp's 2,048 tokens."""
        context = getattr(self.model, "n_ctx", None)
        if context is None:
            return exemplars
        room = context - self._max_tokens(plan)
        fitted = list(exemplars)
        while fitted:
            prompt = self.completion_prompt.format(**variables, examples=self._examples(fitted))
            if self.model.get_num_tokens(prompt) <= room:
                break
            fitted.remove(max(fitted, key=lambda e: e.words))
        return fitted

    def header(self, product: str | None, rating: int, aspects: Any, words: int) -> dict[str, Any]:
        """A review's header fields in completion style: one definition for the drafts, their
        examples and the tuning data (``reviewgen tune`` trains under this same header)."""
        return {
            "product": product or self.category.noun,
            "rating": rating,
            "topics": ", ".join(sorted(a.replace("_", " ") for a in aspects)) or "general",
            "length": f"Length: {words} words\n" if self.length_line else "",
        }

    def _examples(self, exemplars: list[Exemplar]) -> str:
        return "".join(
            self.example_template.format(
                **self.header(e.product, e.rating, e.aspects, e.words),
                text=" ".join(e.text.split()),  # one line: a newline would end the example
            )
            for e in exemplars
        )

    def _slot_exemplars(self, plan: ReviewPlan, rng: random.Random) -> list[Exemplar]:
        """A slot's candidates share every example but the last, in the same order: llama.cpp
        keeps the evaluated prefix, so a new candidate evaluates one example instead of k (on
        2 cores, evaluating the prompt is half of the model's time; docs/HISTORY.md, 2026-11-30)."""
        shared = self.pool.draw(plan, self.k, item_rng(plan.seed, "exemplars"))[: self.k - 1]
        last = self.pool.draw(plan, self.k, rng, exclude=frozenset(e.id for e in shared))[:1]
        return shared + last

    async def draft(
        self,
        plan: ReviewPlan,
        rng: random.Random,
        *,
        previous: Draft | None = None,
        report: CriticReport | None = None,
    ) -> Draft:
        """A first draft, or a revision when ``previous`` and its critic ``report`` are given.

        Chat models get the feedback as an instruction. A base model cannot read it, so its
        revision samples again from the previous draft's examples."""
        if previous is not None:
            exemplars = previous.exemplars  # chat: the conversation the draft answered
        elif self.mode == "completion":
            exemplars = self._slot_exemplars(plan, rng)
        else:
            exemplars = self.pool.draw(plan, self.k, rng)
        if self.mode == "completion":
            asked = plan.length_target
            if self.length_follow is not None:
                asked = self.length_follow.ask(plan.length_target)
            variables = {
                "title": self.title,
                **self.header(plan.product.name, plan.rating, plan.aspects, asked),
            }
            if previous is None:
                exemplars = self._fitting(exemplars, plan, variables)
            variables["examples"] = self._examples(exemplars)
            bias = self.vocabulary.bias if self.vocabulary is not None else {}
            options: dict[str, Any] = {"stop": STOP} | ({"logit_bias": bias} if bias else {})
            text = ""
            # A base model sometimes ends the review before writing a word; asking again costs
            # a few tokens (llama.cpp reuses the evaluated prompt), a whole draft otherwise.
            for _ in range(EMPTY_RETRIES):
                # The parser takes the text out of a chat model's message too (style override).
                chain = (
                    self.completion_prompt
                    | self._bound_model(plan, rng, **options)
                    | StrOutputParser()
                )
                text = clean(await chain.ainvoke(variables), plan.length_target)
                if text:
                    break
            if self.length_follow is not None:
                self.length_follow.observe(asked, word_count(text))
            text = await self._lengthen(text, plan, rng, variables, options)
            if self.vocabulary is not None:
                self.vocabulary.observe(text, bias)
            return Draft(text, exemplars)
        turns = previous.turns if previous is not None else ()
        if previous is not None and report is not None:
            feedback = report.feedback() or "- make it sound more like a real customer"
            turns = (*turns, (previous.text, feedback))
        messages, exemplars, turns = self._fit_chat(plan, list(exemplars), list(turns))
        answer = await self._bound_model(plan, rng).ainvoke(messages)
        return Draft(clean(str(answer.content), plan.length_target), exemplars, turns)

    async def _lengthen(
        self,
        text: str,
        plan: ReviewPlan,
        rng: random.Random,
        variables: dict[str, Any],
        options: dict[str, Any],
    ) -> str:
        """Continue a draft that stopped far short of a long target. A base model ends its line
        early (the examples are one line each and a line break stops it): reviews over 115
        words were 1-3% of a run against 10% of real ones. The same line is continued from
        what it wrote (llama.cpp reuses the evaluated prompt), at most ``CONTINUATIONS`` times."""
        prompt = self.completion_prompt.format(**variables)
        below = CONTINUE_BELOW_ASKED if self.length_line else CONTINUE_BELOW
        for _ in range(CONTINUATIONS):
            missing = plan.length_target - word_count(text)
            if (
                not text
                or plan.length_target < CONTINUE_FROM
                or missing < plan.length_target * below
            ):
                break
            # After a full stop the model ends the line at once: start the next sentence.
            opener = rng.choice(OPENERS) if text[-1] in ".!?" else ""
            rest = plan.model_copy(update={"length_target": missing})
            chain = self._bound_model(rest, rng, **options) | StrOutputParser()
            more = clean(await chain.ainvoke(f"{prompt} {text} {opener}".rstrip()), missing)
            if not more:
                break
            # No space before the model's own punctuation (", the screen" after "But") or the
            # rest of a contraction (a draft cut at "It" goes on "'s": not "It 's").
            gap = "" if more[0] in CLOSE_UP else " "
            text = f"{text} {opener}{gap}{more}" if opener else f"{text}{gap}{more}"
        return text

    def _chat_messages(
        self, plan: ReviewPlan, exemplars: list[Exemplar], turns: list[tuple[str, str]]
    ) -> list[BaseMessage]:
        user = self.chat_user.format(
            persona=describe_persona(plan.persona, self.category.noun),
            product=plan.product.name,
            rating=plan.rating,
            stars_meaning=STAR_MEANING[plan.rating],
            aspects=", ".join(a.replace("_", " ") for a in plan.aspects)
            or "whatever mattered most to you",
            length=plan.length_target,
            style=describe_style(plan.persona),
            examples="\n".join(f"- {e.text}" for e in exemplars) or "- (none)",
        )
        messages: list[BaseMessage] = [
            SystemMessage(content=self.chat_system),
            HumanMessage(content=user),
        ]
        for text, feedback in turns:
            revise = self.chat_revise.format(rating=plan.rating, feedback=feedback)
            messages += [AIMessage(content=text), HumanMessage(content=revise)]
        return messages

    def _fit_chat(
        self, plan: ReviewPlan, exemplars: list[Exemplar], turns: list[tuple[str, str]]
    ) -> tuple[list[BaseMessage], list[Exemplar], tuple[tuple[str, str], ...]]:
        """The chat prompt within the context window: without the oldest revision turns (the
        latest, whose feedback the revision answers, stays), then without the longest
        examples. A small local server's context is soon full: four long examples and two
        earlier drafts overflowed 2,048 tokens."""
        messages = self._chat_messages(plan, exemplars, turns)
        if self.context_window is None:
            return messages, exemplars, tuple(turns)
        answer = self._max_tokens(plan) if self.per_call_sampling else self.answer_tokens
        room = self.context_window - answer
        while (used := self._prompt_tokens(messages)) > room:
            if len(turns) > 1:
                turns.pop(0)
            elif exemplars:
                exemplars.remove(max(exemplars, key=lambda e: len(e.text)))
            else:
                raise PromptTooLong(
                    f"chat prompt of about {used} tokens leaves no room for a {answer}-token "
                    f"answer in a context window of {self.context_window}"
                )
            messages = self._chat_messages(plan, exemplars, turns)
        return messages, exemplars, tuple(turns)

    def _prompt_tokens(self, messages: list[BaseMessage]) -> int:
        return sum(self.count_tokens(str(m.content)) + TOKENS_PER_MESSAGE for m in messages)
