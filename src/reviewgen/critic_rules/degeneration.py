"""``degeneration.v1``: catch the ways a small model's text falls apart.

A tiny completion model loops ("I love this phone. I love this phone."), runs on into the next
prompt block ("Rating: 5"), stops mid-sentence at the token limit, emits symbol soup or trails
off into a run of symbols (". . . . . . . ." to the token limit). Each check is lenient where
real reviews are sloppy: a missing final full stop is fine; only a dangling "and"/"the", a
trailing comma or an unclosed bracket counts as cut off; "!!!!" and "......" are fine (runs of
more than 5 spaced or 15 glued symbols fail: 0.14% of the shared real reviews have one).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.words import lower_words, words

_SENTENCE_SPLIT = re.compile(r"[.!?\n]+")
_DANGLING_WORDS = "and or but the a an my your our their because than very"
_DANGLING = frozenset(_DANGLING_WORDS.split())
_EMOTICON = re.compile(r"[:;=]-?[()]+|[()]+-?[:;=]")
_TERMINAL = ".!?)]}\"'…*+"
# The same symbol token again and again, spaced (". . . .", "- - - -") or glued ("!!!!!!!!").
_SPACED_SYMBOLS = re.compile(r"(?<!\S)([^\w\s]+)(?:\s+\1(?!\S))+")
_GLUED_SYMBOL = re.compile(r"([^\w\s])\1+")


class DegenerationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ngram: int = Field(4, ge=2, description="n-gram size for the repetition check")
    max_ngram_repeats: int = Field(
        2, ge=1, description="times an n-gram may occur (+1 per 100 words)"
    )
    min_sentence_words: int = Field(4, ge=1, description="shorter sentences may repeat")
    headers: list[str] = Field(
        default_factory=lambda: ["Customer reviews of", "Product:", "Rating:", "Review:"],
        description="prompt headers that must not start a line (plus the writer's own)",
    )
    min_letter_share: float = Field(0.5, ge=0.0, le=1.0, description="letters among non-spaces")
    max_spaced_symbols: int = Field(
        5, ge=1, description='same symbol token in a row, space-separated (". . . .")'
    )
    max_glued_symbols: int = Field(15, ge=1, description='same symbol in a row ("!!!!")')


@register_rule("degeneration.v1")
class DegenerationRule(CriticRule):
    """Fail on empty text, loops, leaked prompt headers, clear truncation, symbol soup or long
    runs of one symbol.

    ``leaked_at`` / ``symbol_run_at`` (character offsets) let the writer cut the draft there.
    """

    Params = DegenerationParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: DegenerationParams = self.params  # type: ignore[assignment]
        text = draft.strip()
        if not text:
            return self.fail("Write the review text.", 0.0, empty=True)
        problems: dict[str, object] = {}
        feedback: list[str] = []

        tokens = lower_words(draft)  # stripping spaces changes no word
        limit = p.max_ngram_repeats + len(tokens) // 100
        # n-grams in text order (zip stops at the shortest tail, as the window must)
        grams = Counter(zip(*(tokens[i:] for i in range(p.ngram)), strict=False))
        looped = [" ".join(g) for g, n in grams.items() if n > limit]
        sentences = [words(s) for s in _SENTENCE_SPLIT.split(text.lower())]
        counts = Counter(" ".join(s) for s in sentences if len(s) >= p.min_sentence_words)
        repeated = [s for s, n in counts.items() if n > 1]
        if looped or repeated:
            problems.update(repeated_ngrams=looped, repeated_sentences=repeated)
            phrase = (repeated or looped)[0]
            feedback.append(f'Don\'t repeat yourself: say "{phrase}" only once.')

        leaked = self._leaked_header(draft, [*p.headers, *context.prompt_headers])
        if leaked:
            header, offset = leaked
            problems.update(leaked_header=header, leaked_at=offset)
            feedback.append(f'Write one review only; stop before a new "{header}" line.')

        if self._truncated(text):
            problems.update(truncated=True, last_token=text.split()[-1])
            feedback.append("Finish the last sentence.")

        non_space = len("".join(text.split()))
        letter_share = sum(map(str.isalpha, text)) / non_space
        if non_space >= 3 and letter_share < p.min_letter_share:
            problems.update(letter_share=round(letter_share, 3))
            feedback.append("Write in ordinary words and sentences.")

        run = self._symbol_run(draft, p)  # offsets in the draft, like leaked_at
        if run:
            symbol, count, offset = run
            problems.update(symbol_run=symbol, symbol_run_length=count, symbol_run_at=offset)
            feedback.append(
                f'Don\'t trail off into a run of "{symbol}" ({count} in a row); '
                "end with ordinary punctuation."
            )

        if feedback:
            return self.fail(" ".join(feedback), 1 / (1 + len(feedback)), **problems)
        return self.ok(1.0)

    @staticmethod
    def _symbol_run(text: str, p: DegenerationParams) -> tuple[str, int, int] | None:
        """The first over-long run of one symbol token: (symbol, how many, where it starts)."""
        for match in _SPACED_SYMBOLS.finditer(text):
            count = len(match.group().split())
            if count > p.max_spaced_symbols:
                return match.group(1), count, match.start()
        for match in _GLUED_SYMBOL.finditer(text):
            if len(match.group()) > p.max_glued_symbols:
                return match.group(1), len(match.group()), match.start()
        return None

    @staticmethod
    def _leaked_header(text: str, headers: list[str]) -> tuple[str, int] | None:
        """The first header found at a line or sentence start, and where it begins.

        Sentence starts count too because the writer joins lines before the critic sees them.
        """
        found = []
        lowered = text.lower() if text.isascii() else ""
        for header in dict.fromkeys(h.strip() for h in headers if h.strip()):
            if lowered and header.isascii() and header.lower() not in lowered:
                continue  # ASCII: no match ignoring case without the header as a substring
            match = _header_pattern(header).search(text)
            if match:
                found.append((match.start(), header))
        if not found:
            return None
        offset, header = min(found)
        return header, offset

    @staticmethod
    def _truncated(text: str) -> bool:
        body = _EMOTICON.sub("", text) if "(" in text or ")" in text else text  # emoticons have one
        body = body.rstrip()
        if not body or body[-1] in _TERMINAL:
            return False
        if body[-1] in ",([{" or body.rfind("(") > body.rfind(")"):
            return True
        tokens = words(body)
        return bool(tokens) and tokens[-1].lower() in _DANGLING


@lru_cache(maxsize=64)
def _header_pattern(header: str) -> re.Pattern[str]:
    return re.compile(r"(?:^|(?<=[.!?]))[ \t]*" + re.escape(header), re.IGNORECASE | re.MULTILINE)
