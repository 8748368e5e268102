"""Human writing noise: typos, dropped apostrophes, casing and punctuation habits, slang, emoji.

Used two ways: ``apply_style_noise`` gives a generated review its persona's habits after the
critic has passed it, and the registered ``typos.v1`` / ``style.v1`` ops augment datasets.
Every random choice comes from the ``rng`` passed in, so a seed reproduces the output; protected
terms are never edited, so aspect words still match afterwards.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from reviewgen.augment.base import (
    PREFIX_MIN_LENGTH,
    AugmentResult,
    OpParams,
    match_case,
    replace_outside,
    substitute,
)
from reviewgen.core.registry import Component, augmenters
from reviewgen.core.schemas import WritingStyle

TypoKind = Literal["keyboard", "drop", "double", "swap"]
TYPO_KINDS: tuple[TypoKind, ...] = ("keyboard", "drop", "double", "swap")

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_OFFSETS = ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0))


def _neighbours() -> dict[str, str]:
    """QWERTY keys that touch each letter (same row and the staggered rows above/below)."""
    position = {key: (r, c) for r, row in enumerate(_ROWS) for c, key in enumerate(row)}
    result = {}
    for key, (r, c) in position.items():
        near = []
        for dr, dc in _OFFSETS:
            rr, cc = r + dr, c + dc
            if 0 <= rr < len(_ROWS) and 0 <= cc < len(_ROWS[rr]):
                near.append(_ROWS[rr][cc])
        result[key] = "".join(near)
    return result


KEYBOARD_NEIGHBOURS = _neighbours()

_WORD_RE = re.compile(r"(?<![\w'’])[A-Za-z]{3,}(?![\w'’])")
_APOSTROPHE_RE = re.compile(r"(?<=[A-Za-z])['’](?=[A-Za-z])")
_SENTENCE_DOT_RE = re.compile(r"(?<![.\d])\.(?!\.)(?=\s|$)")
_COMMA_RE = re.compile(r",(?=\s)")
_BANG_RE = re.compile(r"(?<!!)!(?!!)")
_ANY_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")

SLANG = {
    "going to": "gonna",
    "want to": "wanna",
    "got to": "gotta",
    "kind of": "kinda",
    "sort of": "sorta",
    "because": "cuz",
    "though": "tho",
    "you": "u",
    "your": "ur",
    "probably": "prob",
    "definitely": "def",
    "to be honest": "tbh",
    "in my opinion": "imo",
    "by the way": "btw",
    "oh my god": "omg",
    "i don't know": "idk",
    "thanks": "thx",
    "please": "pls",
    "okay": "ok",
    "really": "rly",
}
_SLANG_RE = re.compile(
    r"(?<![A-Za-z'’])(?:"
    + "|".join(re.escape(k) for k in sorted(SLANG, key=len, reverse=True))
    + r")(?![A-Za-z'’])",
    re.IGNORECASE,
)

EMOJI = {
    "positive": ("😍", "👍", "🔥", "💯", "🙌", "😊"),
    "negative": ("😡", "👎", "😤", "🙄", "😞"),
    "neutral": ("🤷", "🙂", "😐"),
}

# Habit strengths: how often a persona with the habit shows it at each opportunity.
SLANG_P = 0.6
APOSTROPHE_P = 0.85
MINIMAL_COMMA_P = 0.8
MINIMAL_DOT_P = 0.7
EXCITED_P = 0.5
ELLIPSES_P = 0.4
SHOUT_P = 0.8
SHOUT_MIN_VALENCE = 1.5


# --- protected terms, matched fast --------------------------------------------------------------
# ``substitute`` finds protected spans with one regex alternating over every term (100+ for a
# phone lexicon), which costs more than the edits themselves. ``_Protection`` finds the same
# spans with a first-character index; it answers only for ASCII text without the tokens the
# shared pattern always protects, and ``_substitute`` falls back to ``substitute`` otherwise.

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ALWAYS_PROTECTED_HINTS = ("[", "@", "://", "www.")
_HEAD = 3


class _Protection:
    """Protected terms with the spans ``augment.base.protected_spans`` would give them."""

    def __init__(self, terms: frozenset[str]) -> None:
        self.terms = terms
        self.ascii = all(t.isascii() for t in terms)
        normalised = {t.strip().lower() for t in terms if t.strip()}
        # The shared pattern's alternation order: 4+ character terms (which also protect the
        # rest of the word they start) longest first, then shorter terms as whole words.
        ordered = sorted(normalised, key=len, reverse=True)
        ranked = [(t, True) for t in ordered if len(t) >= PREFIX_MIN_LENGTH]
        ranked += [(t, False) for t in ordered if len(t) < PREFIX_MIN_LENGTH]
        # Candidates by their first three characters; terms shorter than that rank last, so
        # appending them by first character keeps the alternation order.
        self.by_head: dict[str, list[tuple[str, bool]]] = {}
        self.short: dict[str, list[tuple[str, bool]]] = {}
        for term, is_prefix in ranked:
            if len(term) >= _HEAD:
                self.by_head.setdefault(term[:_HEAD], []).append((term, is_prefix))
            else:
                self.short.setdefault(term[0], []).append((term, is_prefix))

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def spans(self, text: str) -> list[tuple[int, int]] | None:
        """Protected spans, or ``None`` when only the shared regex can say."""
        lower = text.lower()
        if not (self.ascii and text.isascii()) or any(h in lower for h in _ALWAYS_PROTECTED_HINTS):
            return None
        starts: set[int] = set()  # where a term could start: its first characters occur there
        for head in [*self.by_head, *self.short]:
            at = lower.find(head)
            while at >= 0:
                starts.add(at)
                at = lower.find(head, at + 1)
        spans: list[tuple[int, int]] = []
        size, cursor = len(text), 0
        for start in sorted(starts):
            if start < cursor or (start and text[start - 1] in _ALNUM):
                continue
            head = self.by_head.get(lower[start : start + _HEAD], [])
            for term, is_prefix in head + self.short.get(lower[start], []):
                if not lower.startswith(term, start):
                    continue
                end = start + len(term)
                if is_prefix:
                    while end < size and text[end] in _ALNUM:
                        end += 1
                elif end < size and text[end] in _ALNUM:
                    continue
                spans.append((start, end))
                cursor = end
                break
        return spans


@lru_cache(maxsize=64)
def _cached_protection(terms: frozenset[str]) -> _Protection:
    return _Protection(terms)


def _protection(protected: Iterable[str]) -> _Protection:
    if isinstance(protected, _Protection):
        return protected
    return _cached_protection(frozenset(protected))


def _substitute(
    text: str,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str | None],
    protected: Iterable[str],
) -> tuple[str, int]:
    """``augment.base.substitute`` with faster protected-span matching (same result)."""
    protection = _protection(protected)
    matches = list(pattern.finditer(text))
    if not matches:
        return text, 0
    spans = protection.spans(text)
    if spans is None:
        return substitute(text, pattern, replace, protection.terms)
    return replace_outside(text, matches, spans, replace)


def _typo(word: str, kind: TypoKind, rng: random.Random) -> str | None:
    """One typo of ``kind`` inside ``word``; the first letter is kept (people rarely miss it)."""
    i = rng.randrange(1, len(word))
    if kind == "keyboard":
        near = KEYBOARD_NEIGHBOURS.get(word[i].lower())
        if not near:
            return None
        return word[:i] + match_case(word[i], rng.choice(near)) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[: i + 1] + word[i] + word[i + 1 :]
    pairs = [j for j in range(1, len(word) - 1) if word[j] != word[j + 1]]
    if not pairs:
        return None
    j = rng.choice(pairs)
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :]


def add_typos(
    text: str,
    rate: float,
    rng: random.Random,
    protected: Iterable[str] = (),
    kinds: Iterable[TypoKind] = TYPO_KINDS,
) -> tuple[str, dict[str, int]]:
    """Each word of 3+ letters gets a typo with probability ``rate``."""
    kinds = tuple(kinds)
    counts = dict.fromkeys(kinds, 0)

    def replace(match: re.Match[str]) -> str | None:
        if not kinds or rng.random() >= rate:
            return None
        kind = rng.choice(kinds)
        new = _typo(match.group(), kind, rng)
        if new is not None:
            counts[kind] += 1
        return new

    text, _ = _substitute(text, _WORD_RE, replace, protected)
    return text, {f"typo_{k}": n for k, n in counts.items() if n}


def drop_apostrophes(
    text: str, rate: float, rng: random.Random, protected: Iterable[str] = ()
) -> tuple[str, int]:
    return _substitute(
        text, _APOSTROPHE_RE, lambda m: "" if rng.random() < rate else None, protected
    )


def use_slang(
    text: str, rate: float, rng: random.Random, protected: Iterable[str] = ()
) -> tuple[str, int]:
    def replace(match: re.Match[str]) -> str | None:
        if rng.random() >= rate:
            return None
        original = match.group()
        slang = SLANG[original.lower().replace("’", "'")]
        return slang if original.startswith("I ") else match_case(original, slang)

    return _substitute(text, _SLANG_RE, replace, protected)


def punctuate(
    text: str,
    habit: Literal["normal", "minimal", "excited", "ellipses"],
    rng: random.Random,
    protected: Iterable[str] = (),
) -> tuple[str, int]:
    """Rewrite sentence punctuation the way the habit's writers do."""
    if habit == "normal":
        return text, 0

    def maybe(p: float, new: str):
        return lambda m: new if rng.random() < p else None

    if habit == "minimal":
        text, commas = _substitute(text, _COMMA_RE, maybe(MINIMAL_COMMA_P, ""), protected)
        text, dots = _substitute(text, _SENTENCE_DOT_RE, maybe(MINIMAL_DOT_P, ""), protected)
        return text, commas + dots
    if habit == "excited":
        text, dots = _substitute(
            text,
            _SENTENCE_DOT_RE,
            lambda m: rng.choice(("!", "!!")) if rng.random() < EXCITED_P else None,
            protected,
        )
        text, bangs = _substitute(text, _BANG_RE, maybe(EXCITED_P, "!!!"), protected)
        if text and text[-1].isalnum():
            return text + "!!", dots + bangs + 1
        return text, dots + bangs
    text, dots = _substitute(text, _SENTENCE_DOT_RE, maybe(ELLIPSES_P, "..."), protected)
    text, commas = _substitute(text, _COMMA_RE, maybe(ELLIPSES_P, ".."), protected)
    return text, dots + commas


def _valence(word: str) -> float:
    from reviewgen.text.sentiment import _analyzer

    return float(_analyzer().lexicon.get(word.lower(), 0.0))


def recase(
    text: str,
    casing: Literal["normal", "lowercase", "shouty"],
    rng: random.Random,
    protected: Iterable[str] = (),
) -> tuple[str, int]:
    """Lowercase everything, or shout the strongly-felt words (``AMAZING``, ``TERRIBLE``)."""
    if casing == "lowercase":
        return _substitute(text, _ANY_WORD_RE, lambda m: m.group().lower(), protected)
    if casing == "shouty":

        def shout(match: re.Match[str]) -> str | None:
            strong = abs(_valence(match.group())) >= SHOUT_MIN_VALENCE
            return match.group().upper() if strong and rng.random() < SHOUT_P else None

        return _substitute(text, _ANY_WORD_RE, shout, protected)
    return text, 0


def add_emoji(text: str, rng: random.Random) -> tuple[str, int]:
    """One or two emoji matching the text's sentiment, at sentence ends."""
    from reviewgen.text.sentiment import compound

    score = compound(text)
    pool = EMOJI["positive" if score >= 0.3 else "negative" if score <= -0.3 else "neutral"]
    ends = sorted({m.end() for m in re.finditer(r"[.!?]+(?=\s)", text)} | {len(text.rstrip())})
    count = 2 if rng.random() < 0.3 and len(ends) > 1 else 1
    for position in sorted(rng.sample(ends, count), reverse=True):
        text = text[:position] + " " + rng.choice(pool) + text[position:]
    return text, count


def apply_style_noise(
    text: str, style: WritingStyle, rng: random.Random, protected: set[str]
) -> tuple[str, dict]:
    """Give a finished review a persona's writing habits; returns the text and change counts.

    Verbosity is the writer prompt's job and is not touched here. Protected terms keep their
    exact spelling and case.
    """
    changes: dict[str, int] = {}
    guard = _protection(protected)  # built once for every step below

    def note(name: str, count: int) -> None:
        if count:
            changes[name] = changes.get(name, 0) + count

    if style.slang:
        text, n = use_slang(text, SLANG_P, rng, guard)
        note("slang", n)
    if style.drops_apostrophes:
        text, n = drop_apostrophes(text, APOSTROPHE_P, rng, guard)
        note("apostrophes_dropped", n)
    if style.typo_rate > 0:
        text, typos = add_typos(text, style.typo_rate, rng, guard)
        for name, n in typos.items():
            note(name, n)
    text, n = punctuate(text, style.punctuation, rng, guard)
    note(f"punctuation_{style.punctuation}", n)
    text, n = recase(text, style.casing, rng, guard)
    note("lowercased" if style.casing == "lowercase" else "shouted", n)
    if style.emoji and text.strip():
        text, n = add_emoji(text, rng)
        note("emoji", n)
    return text, changes


@augmenters.register("typos.v1")
class Typos(Component):
    """Keyboard slips: neighbour keys, dropped, doubled and swapped letters."""

    class Params(OpParams):
        rate: float | tuple[float, float] = Field(
            0.05, description="per-word typo probability, or a [min, max] range drawn per record"
        )
        kinds: list[TypoKind] = Field(default_factory=lambda: list(TYPO_KINDS))
        apostrophe_rate: float = Field(0.0, ge=0.0, le=1.0)

        @field_validator("rate")
        @classmethod
        def _rate_range(cls, value: float | tuple[float, float]) -> float | tuple[float, float]:
            low, high = value if isinstance(value, tuple) else (value, value)
            if not 0.0 <= low <= high <= 1.0:
                raise ValueError("rate must be within 0..1 (a range as [min, max], min <= max)")
            return value

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or self.Params()
        rate = self.params.rate
        self._bounds = rate if isinstance(rate, tuple) else (rate, rate)

    def apply(self, text: str, rng: random.Random) -> AugmentResult:
        low, high = self._bounds
        rate = low if low == high else round(rng.uniform(low, high), 4)
        protected = self.params.protected
        text, changes = add_typos(text, rate, rng, protected, self.params.kinds)
        if self.params.apostrophe_rate:
            text, n = drop_apostrophes(text, self.params.apostrophe_rate, rng, protected)
            if n:
                changes["apostrophes_dropped"] = n
        return AugmentResult(text, {"rate": rate, **changes})


@augmenters.register("style.v1")
class Style(Component):
    """A persona's habits (casing, punctuation, slang, emoji, typos) as a dataset op."""

    class Params(OpParams, WritingStyle):
        pass

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or self.Params()
        self._style = WritingStyle(**self.params.model_dump(exclude={"protected"}))

    def apply(self, text: str, rng: random.Random) -> AugmentResult:
        new, changes = apply_style_noise(text, self._style, rng, set(self.params.protected))
        return AugmentResult(new, changes)
