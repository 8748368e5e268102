"""Small text measures shared by the critic, the evaluator and the benchmarks."""

from __future__ import annotations

import re
from functools import lru_cache

WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
SENTENCE_END_RE = re.compile(r"[.!?]+(?=\s|$)")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))


@lru_cache(maxsize=256)
def lower_words(text: str) -> tuple[str, ...]:
    """Lowercased ``words(text)``, cached: several critic rules tokenise the same draft."""
    return tuple(w.lower() for w in WORD_RE.findall(text))


def sentence_count(text: str) -> int:
    """Sentence ends plus a trailing unterminated sentence; at least 1 for non-empty text."""
    stripped = text.strip()
    if not stripped:
        return 0
    ends = len(SENTENCE_END_RE.findall(stripped))
    return ends + (0 if SENTENCE_END_RE.search(stripped[-1:] + " ") else 1)


def normalise(text: str) -> str:
    """Lowercase, straight apostrophes, single spaces: the form lexicon matching works on."""
    return " ".join(text.lower().replace("’", "'").split())
