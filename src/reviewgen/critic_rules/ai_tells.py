"""``ai_tells.v1``: reject drafts that read like an assistant's answer, not a customer's review.

Instruct models wrap reviews in preambles ("Sure, here's a review"), titles, markdown and
advert vocabulary ("seamless", "game-changer"), or narrate about "the reviewer" in the third
person. Patterns are deliberately narrow (anchored to line or sentence starts, multi-word) and
were checked against real reviews, which use "Pros:", "5 stars!" and "4/5" legitimately.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule

_I = re.IGNORECASE | re.MULTILINE

# Each category fails the draft on any hit; the feedback says how to fix that category.
_HARD_TELLS: dict[str, tuple[str, list[re.Pattern[str]]]] = {
    "assistant": (
        "Write only the review itself, as the customer: no preamble, no sign-off.",
        [
            re.compile(
                r"^\W*(?:sure|certainly|okay|of course|absolutely)\b[^\n]{0,20}\bhere(?:'s| is)\b",
                _I,
            ),
            re.compile(
                r"^\W*here(?:'s| is) (?:a|an|the|your|my) (?:[\w-]+ ){0,3}(?:review|response)\b"
                r"[^\n]*:",
                _I,
            ),
            re.compile(r"\bas an? (?:ai|language model|large language model|assistant)\b", _I),
            re.compile(r"\bi hope (?:this|that) helps\b", _I),
            re.compile(
                r"\b(?:let me know if you|feel free to (?:ask|adjust|modify|let me know))\b", _I
            ),
            re.compile(r"\bi (?:can't|cannot|am unable to) (?:write|generate|create)\b", _I),
            re.compile(r"(?:^|[.!?]\s+)\W*in conclusion\b", _I),
        ],
    ),
    "heading": (
        "Drop the title or heading; start straight away with the review text.",
        [
            re.compile(r"^\W*(?:title|headline|subject|review title)\s*:", _I),
            re.compile(r"^\s*#{1,6}\s+\S", _I),
            re.compile(r"^\s*\*\*[^*\n]{1,80}\*\*\s*:?\s*$", _I),
        ],
    ),
    "markdown": (
        "Write plain text: no bullet points, bold text or headings.",
        [
            re.compile(r"\*\*[^*\n]{1,80}\*\*|__[^_\n]{1,80}__"),
            re.compile(r"(?:^\s*(?:[-*•]|\d+\.)\s+\S[^\n]*\n?){2,}", _I),
        ],
    ),
    "third_person": (
        'Write in the first person, as the customer who bought it ("I ...").',
        [
            re.compile(
                r"\b(?:the|this) (?:reviewer|customer|user|buyer|purchaser)"
                r" (?:says|said|felt|feels|was|is|loved|loves|liked|found|thinks|thought"
                r"|notes|noted|praised|mentions|mentioned|complained|gave|rated)\b",
                _I,
            ),
            re.compile(
                r"\A\W*(?:she|he) (?:loved|was impressed|was pleased|was happy"
                r"|was disappointed|found|felt|praised|appreciated|noted|mentioned"
                r"|complained|bought|purchased|gave|rated)\b",
                _I,
            ),
        ],
    ),
    "star_header": (
        "Don't put the star rating on its own line; just write the review.",
        [
            re.compile(
                r"^\W*(?:rating\s*:\s*)?\d(?:\.\d)?\s*(?:/\s*5|out of 5)(?:\s*stars?)?\W*$", _I
            ),
            re.compile(r"^\s*[★☆⭐]{3,}\s*$", _I),
        ],
    ),
}

# Advert vocabulary: a real customer may use one of these, a generated advert stacks them.
_MARKETING = re.compile(
    r"\b(?:game[- ]changer|sleek and stylish|seamless(?:ly)?|elevates?|elevating|boasts?"
    r"|delves?|delving|testament to|unparalleled|cutting[- ]edge|look no further"
    r"|whether you're|tapestry|effortless(?:ly)?|captivating|immersive|powerhouse|truly shines"
    r"|stands out as|impressive array|next level|state[- ]of[- ]the[- ]art|user[- ]friendly"
    r"|a breeze|top[- ]notch|stunning)\b",
    re.IGNORECASE,
)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


class AiTellsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extra_phrases: list[str] = Field(
        default_factory=list, description="more phrases that fail a draft (case-insensitive)"
    )
    max_marketing_hits: int = Field(1, ge=0, description="advert words tolerated per draft")
    max_emoji: int = Field(3, ge=0, description="emoji tolerated per draft")


def _finder(pattern: re.Pattern[str]):
    """``finditer`` for ``pattern`` that gives the same matches more cheaply on common drafts.

    A line-anchored pattern on one-line text can only match at 0. ``re`` matches ignoring case
    several times slower, so ASCII text is matched case-sensitively in lowercase (every literal
    letter in these patterns is lowercase) and the matches are taken from the original text.
    """
    anchored = pattern.pattern.startswith("^") and bool(pattern.flags & re.MULTILINE)
    folded = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def finditer(text: str, lowered: str | None) -> list[str]:
        if lowered is None:  # non-ASCII: lowercasing may not keep offsets or case rules
            return [m.group() for m in pattern.finditer(text)]
        if anchored and "\n" not in text:
            match = folded.match(lowered)
            return [] if match is None else [text[: match.end()]]
        return [text[m.start() : m.end()] for m in folded.finditer(lowered)]

    return finditer


_HARD_FINDERS = {
    category: (advice, [_finder(p) for p in patterns])
    for category, (advice, patterns) in _HARD_TELLS.items()
}
_MARKETING_FINDER = _finder(_MARKETING)


@register_rule("ai_tells.v1")
class AiTellsRule(CriticRule):
    """Fail on any assistant/heading/markdown/third-person/star-header tell, on more than
    ``max_marketing_hits`` advert words, or on more than ``max_emoji`` emoji."""

    Params = AiTellsParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: AiTellsParams = self.params  # type: ignore[assignment]
        draft = draft.replace("’", "'")
        lowered = draft.lower() if draft.isascii() else None
        tells: dict[str, list[str]] = {}
        feedback: list[str] = []
        for category, (advice, finders) in _HARD_FINDERS.items():
            found = [hit.strip() for find in finders for hit in find(draft, lowered)]
            if category == "assistant":
                found += [x for x in p.extra_phrases if _phrase(x).search(draft)]
            if found:
                tells[category] = found
                feedback.append(advice)
        marketing = _MARKETING_FINDER(draft, lowered)
        if len(marketing) > p.max_marketing_hits:
            tells["marketing"] = marketing
            quoted = ", ".join(f"'{w}'" for w in dict.fromkeys(w.lower() for w in marketing))
            feedback.append(f"Sound like an ordinary customer, not an advert: avoid {quoted}.")
        emoji = [] if lowered is not None else _EMOJI.findall(draft)  # ASCII has no emoji
        if len(emoji) > p.max_emoji:
            tells["emoji"] = emoji
            feedback.append("Use fewer emoji.")
        hits = sum(len(v) for v in tells.values())
        if tells:
            return self.fail(
                " ".join(feedback), 1 / (1 + hits), tells=tells, categories=list(tells)
            )
        return self.ok(1 / (1 + len(marketing)), marketing_hits=len(marketing))


def _phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.replace("’", "'")) + r"(?!\w)", re.IGNORECASE)
