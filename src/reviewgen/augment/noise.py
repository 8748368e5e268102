"""Human writing noise: typos, dropped apostrophes, casing and punctuation habits, slang, emoji.

Used two ways: ``apply_style_noise`` gives a generated review its persona's habits after the
critic has passed it, and the registered ``typos.v1`` / ``style.v1`` ops augment datasets.
Every random choice comes from the ``rng`` passed in, so a seed reproduces the output; protected
terms are never edited, so aspect words still match afterwards.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, field_validator

from reviewgen.augment.base import AugmentResult, OpParams, match_case, substitute
from reviewgen.registry import augmenters
from reviewgen.schemas import WritingStyle

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

    text, _ = substitute(text, _WORD_RE, replace, protected)
    return text, {f"typo_{k}": n for k, n in counts.items() if n}


def drop_apostrophes(
    text: str, rate: float, rng: random.Random, protected: Iterable[str] = ()
) -> tuple[str, int]:
    return substitute(
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

    return substitute(text, _SLANG_RE, replace, protected)


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
        text, commas = substitute(text, _COMMA_RE, maybe(MINIMAL_COMMA_P, ""), protected)
        text, dots = substitute(text, _SENTENCE_DOT_RE, maybe(MINIMAL_DOT_P, ""), protected)
        return text, commas + dots
    if habit == "excited":
        text, dots = substitute(
            text,
            _SENTENCE_DOT_RE,
            lambda m: rng.choice(("!", "!!")) if rng.random() < EXCITED_P else None,
            protected,
        )
        text, bangs = substitute(text, _BANG_RE, maybe(EXCITED_P, "!!!"), protected)
        if text and text[-1].isalnum():
            return text + "!!", dots + bangs + 1
        return text, dots + bangs
    text, dots = substitute(text, _SENTENCE_DOT_RE, maybe(ELLIPSES_P, "..."), protected)
    text, commas = substitute(text, _COMMA_RE, maybe(ELLIPSES_P, ".."), protected)
    return text, dots + commas


def _valence(word: str) -> float:
    from reviewgen.sentiment import _analyzer

    return float(_analyzer().lexicon.get(word.lower(), 0.0))


def recase(
    text: str,
    casing: Literal["normal", "lowercase", "shouty"],
    rng: random.Random,
    protected: Iterable[str] = (),
) -> tuple[str, int]:
    """Lowercase everything, or shout the strongly-felt words (``AMAZING``, ``TERRIBLE``)."""
    if casing == "lowercase":
        return substitute(text, _ANY_WORD_RE, lambda m: m.group().lower(), protected)
    if casing == "shouty":

        def shout(match: re.Match[str]) -> str | None:
            strong = abs(_valence(match.group())) >= SHOUT_MIN_VALENCE
            return match.group().upper() if strong and rng.random() < SHOUT_P else None

        return substitute(text, _ANY_WORD_RE, shout, protected)
    return text, 0


def add_emoji(text: str, rng: random.Random) -> tuple[str, int]:
    """One or two emoji matching the text's sentiment, at sentence ends."""
    from reviewgen.sentiment import compound

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

    def note(name: str, count: int) -> None:
        if count:
            changes[name] = changes.get(name, 0) + count

    if style.slang:
        text, n = use_slang(text, SLANG_P, rng, protected)
        note("slang", n)
    if style.drops_apostrophes:
        text, n = drop_apostrophes(text, APOSTROPHE_P, rng, protected)
        note("apostrophes_dropped", n)
    if style.typo_rate > 0:
        text, typos = add_typos(text, style.typo_rate, rng, protected)
        for name, n in typos.items():
            note(name, n)
    text, n = punctuate(text, style.punctuation, rng, protected)
    note(f"punctuation_{style.punctuation}", n)
    text, n = recase(text, style.casing, rng, protected)
    note("lowercased" if style.casing == "lowercase" else "shouted", n)
    if style.emoji and text.strip():
        text, n = add_emoji(text, rng)
        note("emoji", n)
    return text, changes


@augmenters.register("typos.v1")
class Typos:
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
class Style:
    """A persona's habits (casing, punctuation, slang, emoji, typos) as a dataset op."""

    class Params(OpParams, WritingStyle):
        pass

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or self.Params()
        self._style = WritingStyle(**self.params.model_dump(exclude={"protected"}))

    def apply(self, text: str, rng: random.Random) -> AugmentResult:
        new, changes = apply_style_noise(text, self._style, rng, set(self.params.protected))
        return AugmentResult(new, changes)
