"""The writer chain: prompt | model | parser | clean-up, in two styles.

*Completion* style (base models such as the embedded Gemma 270M) writes a document of real-looking
reviews and lets the model continue it: small base models imitate examples far better than they
follow instructions. *Chat* style (instruct and cloud models) gives the persona and the critic's
feedback as instructions. Base models cannot read feedback, so in completion style a revision
turns the critic's machine hints into prompt changes (new examples, a prefilled aspect word).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import RunnableLambda

from reviewgen.chains.critic import CriticReport
from reviewgen.config import Category
from reviewgen.reference import Exemplar, ExemplarPool
from reviewgen.schemas import Persona, ReviewPlan
from reviewgen.text import word_count

PROMPTS = Path(__file__).parent / "prompts"
PROMPT_HEADERS = ("Product:", "Rating:", "Review:")
STAR_MEANING = {
    1: "you are unhappy",
    2: "mostly disappointed",
    3: "mixed feelings",
    4: "happy, with a small complaint",
    5: "very happy",
}
TOKENS_PER_WORD = 1.5


def _template(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


@dataclass
class Draft:
    text: str
    prompt: str
    exemplars: list[Exemplar]


def clean(text: str, length_target: int) -> str:
    """Keep only the review: drop leaked headers, quotes and a sentence cut off by the token cap."""
    text = text.replace("\r", "")
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
        f"{persona.age_band} years old",
        persona.occupation,
        f"{persona.tech_savviness} tech-savviness",
        f"uses the {noun} for {persona.usage}",
        f"{persona.budget} budget",
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
    def __init__(
        self,
        model: BaseLanguageModel,
        *,
        mode: str,
        category: Category,
        pool: ExemplarPool,
        exemplars: int,
        per_call_sampling: bool = False,
    ) -> None:
        if mode not in {"chat", "completion"}:
            raise ValueError("mode must be chat or completion")
        self.model = model
        self.mode = mode
        self.category = category
        self.pool = pool
        self.k = exemplars
        self.per_call_sampling = per_call_sampling  # seed and token cap per draft (llama.cpp)
        self.parse = StrOutputParser()
        self.title = (
            f"Customer reviews of {category.name} products from verified buyers on an online store."
        )
        self.completion_prompt = PromptTemplate.from_template(_template("completion.txt"))
        self.example_template = _template("completion_example.txt")
        self.chat_system = _template("chat_system.txt")
        self.chat_user = _template("chat_user.txt")
        self.chat_revise = _template("chat_revise.txt")

    def _options(self, plan: ReviewPlan, rng: random.Random) -> dict[str, Any]:
        tokens = int(plan.length_target * TOKENS_PER_WORD * 1.6) + 16
        return {"seed": rng.randrange(2**31), "max_tokens": tokens}

    def _examples(self, exemplars: list[Exemplar]) -> str:
        return "".join(
            self.example_template.format(
                product=e.product or self.category.noun, rating=e.rating, text=e.text
            )
            for e in exemplars
        )

    async def draft(
        self,
        plan: ReviewPlan,
        rng: random.Random,
        *,
        previous: str | None = None,
        report: CriticReport | None = None,
        callbacks: list[Any] | None = None,
    ) -> Draft:
        exemplars = self.pool.draw(plan, self.k, rng)
        config = {"callbacks": callbacks or []}
        model = (
            self.model.bind(**self._options(plan, rng)) if self.per_call_sampling else self.model
        )
        if self.mode == "completion":
            variables = {
                "title": self.title,
                "examples": self._examples(exemplars),
                "product": plan.product.name,
                "rating": plan.rating,
                "prefill": self._prefill(plan, report, rng),
            }
            chain = self.completion_prompt | model.bind(stop=["\nProduct:", "\n\n", "\nRating:"])
            text = await (chain | self.parse).ainvoke(variables, config=config)
            prompt = self.completion_prompt.format(**variables)
            return Draft(clean(variables["prefill"] + text, plan.length_target), prompt, exemplars)
        messages = self._chat_messages(plan, exemplars, previous, report)
        finish = RunnableLambda(lambda text: clean(text, plan.length_target))
        chain = ChatPromptTemplate.from_messages(messages) | model | self.parse | finish
        text = await chain.ainvoke({}, config=config)
        prompt = "\n".join(str(m[1]) for m in messages)
        return Draft(text, prompt, exemplars)

    def _prefill(self, plan: ReviewPlan, report: CriticReport | None, rng: random.Random) -> str:
        """Start a revision with a word of a missing aspect, the one hint a base model takes."""
        if report is None:
            return ""
        missing = [a for v in report.verdicts for a in v.details.get("missing_aspects", [])]
        if not missing:
            return ""
        terms = [t for t in self.category.aspects[missing[0]] if t.isalpha() and len(t) > 3]
        if not terms:
            return ""
        term = rng.choice(terms)
        lead = rng.choice(["The", "the", "My", "Love the", "The", "Its"])
        return f" {lead} {term}" if lead[0].isupper() else f" {term.capitalize()}"

    def _chat_messages(
        self,
        plan: ReviewPlan,
        exemplars: list[Exemplar],
        previous: str | None,
        report: CriticReport | None,
    ) -> list[tuple[str, str]]:
        noun = self.category.noun
        user = self.chat_user.format(
            persona=describe_persona(plan.persona, noun),
            product=plan.product.name,
            rating=plan.rating,
            stars_meaning=STAR_MEANING[plan.rating],
            aspects=", ".join(a.replace("_", " ") for a in plan.aspects),
            length=plan.length_target,
            style=describe_style(plan.persona),
            examples="\n".join(f"- {e.text}" for e in exemplars) or "- (none)",
        )
        # Curly braces in examples or drafts must not be read as template variables.
        messages = [("system", self.chat_system), ("human", user)]
        if previous is not None and report is not None:
            messages.append(("ai", previous))
            messages.append(
                (
                    "human",
                    self.chat_revise.format(
                        rating=plan.rating,
                        feedback=report.feedback() or "- make it sound more real",
                    ),
                )
            )
        return [(role, text.replace("{", "{{").replace("}", "}}")) for role, text in messages]
