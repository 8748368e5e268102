"""Human writing noise: the slips real customers make, and older typing-habit ops.

``apply_style_noise`` gives a generated review its persona's habits after the critic has passed
it: the slips (``reviewgen.text.slips``) the persona drew from a reference's mix, applied at the
persona's rates, and, in the generator (``conform=True``), the kinds it did not draw repaired
in the draft (a model imitating sloppy examples slips on its own), so a run shows each kind as
often as the reference. Keyboard typos ("waas", "phhone") are not in the generator's noise:
readers catch them at once; ``typos.v1`` and ``style.v1`` keep them as dataset augmentation.
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
    protected_spans,
    replace_outside,
    substitute,
)
from reviewgen.core.registry import Component, augmenters
from reviewgen.core.schemas import WritingStyle
from reviewgen.text import slips as slipkinds
from reviewgen.text.words import word_count

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


# --- slips real customers make (rates from reviewgen.text.slips) ------------------------------

_SLIP_HOMOPHONES = {right: slip for right, slip, _ in slipkinds.HOMOPHONES}
_HOMOPHONE_RE = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(
        re.escape(r).replace("'", "['’]").replace(r"\ ", " ")
        for r in sorted(_SLIP_HOMOPHONES, key=len, reverse=True)
    )
    + r")(?![\w'’])",
    re.IGNORECASE,
)
_CONTRACTION_RE = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(c.replace("'", "['’]") for c in [*slipkinds.CONTRACTIONS, "it's"])
    + r")(?![\w'’])",
    re.IGNORECASE,
)
_BARE_CONTRACTIONS = {c.replace("'", ""): c for c in slipkinds.CONTRACTIONS}
_BARE_RE = re.compile(
    r"(?<![\w'’])(?:" + "|".join(_BARE_CONTRACTIONS) + r")(?![\w'’])", re.IGNORECASE
)
_BARE_ITS_RE = re.compile(
    r"(?<![\w'’])its (?=(?:" + "|".join(slipkinds.ITS_NEXT) + r")\b)", re.IGNORECASE
)
_PRONOUN_I_RE = re.compile(r"(?<![\w'’.])I(?=(?:['’](?:m|ve|d|ll))?(?![\w'’]))")
_LOWER_PRONOUN_RE = re.compile(r"(?<![\w'’.])i(?=(?:['’](?:m|ve|d|ll))?(?![\w'’]|\.e))")
_SPACE_AFTER_RE = re.compile(r"(?<=[a-z]{2})([.!?,]) (?=[A-Za-z]{2})")
_GLUED_RE = re.compile(r"(?<=[a-z]{2})([.!?,])(?=[A-Za-z]{2})(?!(?:com|net|org|co)\b)")
_BOUNDARY_RE = re.compile(r"(?<=[A-Za-z0-9)])[.!?]+ +(?=[A-Za-z])")
_TEXTSPEAK_RE = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(re.escape(k) for k in sorted(slipkinds.TEXTSPEAK, key=len, reverse=True))
    + r")(?![\w'’])",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]+")
_END_RE = re.compile(r"(?<![.!?])[.!?](?=\s|$)")
_PAUSE_RE = re.compile(r"(?<![.!?,])[.,](?= +[A-Za-z])")
_REPEATED_RE = re.compile(r"([!?])[!?]+")
_DOTS_RE = re.compile(r"(?:\.{2,}|…)( ?)(?=(\S?))")
_LOWER_START_RE = re.compile(r"(?:(?<=\A)|(?<=[.!?…] )|(?<=\n))([a-z])(?=[a-z'’ ])")
_UPPER_START_RE = re.compile(r"(?:(?<=\A)|(?<=[.!?…] )|(?<=\n))(?:[A-HJ-Z](?=[a-z])|A(?= ))")
_FINAL_RE = re.compile(r"[.!]+(?=\s*\Z)")
EMPHASIS = frozenset(
    slipkinds.wordlist("not never very really so all every love hate best worst do don't won't no")
)
# Words a joined sentence carries on in lower case ("...works great and the battery...").
_CARRY_ON = frozenset(
    slipkinds.wordlist(
        "the it this that my a an and but so also very it's its i'm we they he she you there "
        "great good works love"
    )
)
JOINS = ((" ", 0.5), (", ", 0.3), (" and ", 0.2))
BANGS = (("!!", 0.5), ("!!!", 0.35), ("!!!!", 0.15))
DOTS = (("...", 0.6), ("..", 0.25), ("....", 0.15))
EMOTICONS = {"positive": (":)", ":-)", ";)"), "negative": (":(", ":-("), "neutral": (":/",)}


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _take(
    text: str,
    pattern: re.Pattern[str],
    make: Callable[[re.Match[str]], str | None],
    rate: float,
    rng: random.Random,
    guard: _Protection,
    *,
    chances: int | None = None,
    eligible: Callable[[re.Match[str]], bool] = lambda m: True,
) -> tuple[str, int]:
    """Replace some eligible matches of ``pattern`` outside protected spans by ``make(match)``:
    as many as ``rate`` of ``chances`` (default: the eligible matches) gives, and at least one.
    """
    found: list[int] = []

    def collect(match: re.Match[str]) -> None:
        if eligible(match):
            found.append(match.start())

    _substitute(text, pattern, collect, guard)
    if not found:
        return text, 0
    draws = len(found) if chances is None else chances
    wanted = max(1, sum(rng.random() < rate for _ in range(draws)))
    chosen = set(rng.sample(found, min(wanted, len(found))))
    return _substitute(text, pattern, lambda m: make(m) if m.start() in chosen else None, guard)


def _sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, words) of each sentence between boundaries ``_BOUNDARY_RE`` finds."""
    spans, start = [], 0
    for match in _BOUNDARY_RE.finditer(text):
        spans.append((start, match.start(), word_count(text[start : match.start()])))
        start = match.end()
    spans.append((start, len(text), word_count(text[start:])))
    return spans


def _run_on(text: str, rng: random.Random, guard: _Protection) -> tuple[str, int]:
    """Join sentences from a random one on until it has ``RUN_ON_WORDS`` words."""
    spans = _sentence_spans(text)
    starts = [
        i
        for i in range(len(spans) - 1)
        if sum(w for _, _, w in spans[i:]) >= slipkinds.RUN_ON_WORDS
        and spans[i][2] < slipkinds.RUN_ON_WORDS
    ]
    if not starts:
        return text, 0
    first = rng.choice(starts)
    words, last = 0, first
    while last < len(spans) and words < slipkinds.RUN_ON_WORDS:
        words += spans[last][2]
        last += 1
    joins = {spans[i][1] for i in range(first, last - 1)}  # boundary positions to remove

    def join(match: re.Match[str]) -> str | None:
        if match.start() not in joins:
            return None
        glue = _weighted(rng, JOINS)
        following = text[match.end() :].split(" ", 1)[0]
        if following.lower().strip(",.!?") in _CARRY_ON and following[:1].isupper():
            if following.lower().startswith(("i'm", "i ")) or following == "I":
                return glue
            return glue + "\0"  # marks the next letter for lower case
        return glue

    joined, n = _substitute(text, _BOUNDARY_RE, join, guard)
    return re.sub(r"\0(.)", lambda m: m.group(1).lower(), joined), n


def _caps_rant(text: str, rate: float, rng: random.Random, guard: _Protection) -> tuple[str, int]:
    """Shout whole sentences of ``CAPS_RANT_WORDS`` or more words. Only sentences without a
    protected word: those keep their case, and "THE battery IS DEAD" gives itself away."""
    spans = guard.spans(text)
    if spans is None:
        spans = protected_spans(text, guard.terms)
    sentences = [
        (m.start(), m.end())
        for m in _SENTENCE_RE.finditer(text)
        if len(m.group().split()) >= slipkinds.CAPS_RANT_WORDS
        and not any(m.start() < end and start < m.end() for start, end in spans)
    ]
    if not sentences:
        return text, 0
    wanted = max(1, sum(rng.random() < rate for _ in sentences))
    chosen = rng.sample(sentences, min(wanted, len(sentences)))

    def shout(match: re.Match[str]) -> str | None:
        inside = any(start <= match.start() < end for start, end in chosen)
        return match.group().upper() if inside else None

    text, _ = _substitute(text, _ANY_WORD_RE, shout, guard)
    return text, len(chosen)


def _emoticon(text: str, rng: random.Random) -> tuple[str, int]:
    from reviewgen.text.sentiment import compound

    score = compound(text)
    mood = "positive" if score >= 0.3 else "negative" if score <= -0.3 else "neutral"
    ends = [m.end() for m in re.finditer(r"[.!?]+(?=\s)", text)] + [len(text.rstrip())]
    at = rng.choice(ends)
    return text[:at] + " " + rng.choice(EMOTICONS[mood]) + text[at:], 1


def _make_slip(
    kind: str, text: str, rate: float, rng: random.Random, guard: _Protection
) -> tuple[str, int]:
    """Make slips of one kind in ``text``: ``rate`` of its chances, at least one."""
    if kind == "homophone":
        return _take(
            text,
            _HOMOPHONE_RE,
            lambda m: match_case(
                m.group(), _SLIP_HOMOPHONES[" ".join(m.group().lower().replace("’", "'").split())]
            ),
            rate,
            rng,
            guard,
        )
    if kind == "apostrophe":
        return _take(
            text, _CONTRACTION_RE, lambda m: re.sub("['’]", "", m.group()), rate, rng, guard
        )
    if kind == "lower_i":
        return _take(text, _PRONOUN_I_RE, lambda m: "i", rate, rng, guard)
    if kind == "no_space":
        return _take(text, _SPACE_AFTER_RE, lambda m: m.group(1), rate, rng, guard)
    if kind == "run_on":
        return _run_on(text, rng, guard)
    if kind == "textspeak":
        return _take(
            text,
            _TEXTSPEAK_RE,
            lambda m: match_case(m.group(), slipkinds.TEXTSPEAK[m.group().lower()]),
            rate,
            rng,
            guard,
        )
    if kind == "caps_word":
        return _take(
            text,
            _WORD_RE,
            lambda m: m.group().upper(),
            rate,
            rng,
            guard,
            chances=len(_WORD_RE.findall(text)),
            eligible=lambda m: (
                m.group().lower() in EMPHASIS or abs(_valence(m.group())) >= SHOUT_MIN_VALENCE
            ),
        )
    if kind == "caps_rant":
        return _caps_rant(text, rate, rng, guard)
    if kind == "repeated_punct":
        return _take(
            text,
            _END_RE,
            lambda m: "??" if m.group() == "?" else _weighted(rng, BANGS),
            rate,
            rng,
            guard,
        )
    if kind == "ellipsis":
        return _take(text, _PAUSE_RE, lambda m: _weighted(rng, DOTS), rate, rng, guard)
    if kind == "no_final_period":
        return _substitute(text, _FINAL_RE, lambda m: "", guard)
    if kind == "lower_start":
        return _take(text, _UPPER_START_RE, lambda m: m.group().lower(), rate, rng, guard)
    if kind == "emoticon":
        return _emoticon(text, rng) if text.strip() else (text, 0)
    raise ValueError(f"unknown slip kind {kind!r}; valid kinds: {', '.join(slipkinds.SLIP_KINDS)}")


def _bare_to_full(match: re.Match[str]) -> str:
    word = match.group()
    if word.lower() == "its ":
        return match_case(word, "it's ")
    full = _BARE_CONTRACTIONS[word.lower()]
    return "I" + full[1:] if full.startswith("i'") else match_case(word, full)


def _fix(kind: str, text: str, guard: _Protection) -> tuple[str, int]:
    """Repair every slip of one kind the draft made on its own."""
    if kind == "apostrophe":
        text, n = _substitute(text, _BARE_RE, _bare_to_full, guard)
        text, m = _substitute(text, _BARE_ITS_RE, _bare_to_full, guard)
        return text, n + m
    if kind == "lower_i":
        return _substitute(text, _LOWER_PRONOUN_RE, lambda m: "I", guard)
    if kind == "no_space":
        return _substitute(text, _GLUED_RE, lambda m: m.group() + " ", guard)
    if kind == "repeated_punct":
        return _substitute(text, _REPEATED_RE, lambda m: m.group(1), guard)
    if kind == "ellipsis":
        return _substitute(
            text, _DOTS_RE, lambda m: "." + (" " if m.group(2).isalnum() else m.group(1)), guard
        )
    if kind == "no_final_period":
        stripped = text.rstrip()
        return (stripped + ".", 1) if stripped and stripped[-1].isalnum() else (text, 0)
    if kind == "lower_start":
        return _substitute(text, _LOWER_START_RE, lambda m: m.group().upper(), guard)
    raise ValueError(f"slip kind {kind!r} cannot be repaired")


# Order matters: repairs that change sentence ends come before capitals; run-ons are joined
# before starts are lowered; shouting comes before the lower-case "i".
FIX_ORDER = ("ellipsis", "repeated_punct", "no_space", "apostrophe", "lower_i", "lower_start",
             "no_final_period")  # fmt: skip
SLIP_ORDER = ("homophone", "apostrophe", "textspeak", "run_on", "caps_rant", "caps_word",
              "ellipsis", "repeated_punct", "emoticon", "lower_start", "lower_i",
              "no_final_period", "no_space")  # fmt: skip


def apply_slips(
    text: str,
    slips: dict[str, float],
    rng: random.Random,
    protected: Iterable[str] = (),
    *,
    conform: bool = False,
) -> tuple[str, dict[str, int]]:
    """Make the slips ``slips`` names (kind -> share of its chances) where the text has none
    yet; with ``conform``, first repair the fixable kinds not named. Returns counts per kind
    (``slip_<kind>``, ``fixed_<kind>``)."""
    unknown = sorted(set(slips) - set(slipkinds.SLIP_KINDS))
    if unknown:
        raise ValueError(f"unknown slip kinds {unknown}; valid: {', '.join(slipkinds.SLIP_KINDS)}")
    guard = _protection(protected)
    changes: dict[str, int] = {}
    if conform:
        for kind in FIX_ORDER:
            if kind not in slips:
                text, n = _fix(kind, text, guard)
                if n:
                    changes[f"fixed_{kind}"] = n
    present = slipkinds.profile(text)
    for kind in SLIP_ORDER:
        if kind in slips and kind not in present:
            text, n = _make_slip(kind, text, slips[kind], rng, guard)
            if n:
                changes[f"slip_{kind}"] = n
    return text, changes


def apply_style_noise(
    text: str,
    style: WritingStyle,
    rng: random.Random,
    protected: set[str],
    *,
    conform: bool = False,
) -> tuple[str, dict]:
    """Give a finished review a persona's writing habits; returns the text and change counts.

    ``style.slips`` are applied (``slip_<kind>`` counts), and with ``conform`` the fixable
    kinds the persona did not draw are repaired (``fixed_<kind>``). Verbosity is the writer
    prompt's job and is not touched here. Protected terms keep their exact spelling and case.
    """
    changes: dict[str, int] = {}
    guard = _protection(protected)  # built once for every step below

    def note(name: str, count: int) -> None:
        if count:
            changes[name] = changes.get(name, 0) + count

    if style.slips or conform:
        text, made = apply_slips(text, style.slips, rng, guard, conform=conform)
        for name, n in made.items():
            note(name, n)

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
