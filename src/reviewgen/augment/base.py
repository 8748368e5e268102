"""The augmentation-op contract and the protected-span machinery every op shares.

An op is a class registered in ``reviewgen.core.registry.augmenters`` with a pydantic ``Params``
model and ``apply(text, rng) -> AugmentResult``. Ops edit only the *editable* parts of a text:
protected terms (product names, aspect words), placeholders such as ``[EMAIL]``, URLs and
e-mail addresses are cut out first, so an aspect matcher still finds them afterwards.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Tokens no op may touch whatever the protected list says.
_ALWAYS_PROTECTED = r"\[[A-Z_]+\]|\S*(?:@|://|www\.)\S*"


@dataclass(frozen=True)
class AugmentResult:
    text: str
    changes: dict[str, Any] = field(default_factory=dict)


class OpParams(BaseModel):
    """Parameters every op accepts; ops subclass this."""

    model_config = ConfigDict(extra="forbid")

    protected: list[str] = Field(
        default_factory=list, description="words or phrases never edited (case-insensitive)"
    )


# Terms this long protect every word they start; shorter ones ("g" of "Moto G") whole words only.
PREFIX_MIN_LENGTH = 4


@lru_cache(maxsize=256)
def protected_pattern(terms: frozenset[str]) -> re.Pattern[str]:
    """Protected terms as whole words; a term of 4+ characters also protects words it starts.

    The aspect lexicon matches terms at word starts (``freez`` finds "freezes"), so the whole
    word that begins with such a term must stay intact too.
    """
    ordered = sorted((t.strip() for t in terms if t.strip()), key=len, reverse=True)
    prefixes = [re.escape(t) for t in ordered if len(t) >= PREFIX_MIN_LENGTH]
    words = [re.escape(t) for t in ordered if len(t) < PREFIX_MIN_LENGTH]
    parts = [_ALWAYS_PROTECTED]
    if prefixes:
        parts.append(r"(?<![A-Za-z0-9])(?:" + "|".join(prefixes) + r")[A-Za-z0-9]*")
    if words:
        parts.append(r"(?<![A-Za-z0-9])(?:" + "|".join(words) + r")(?![A-Za-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE)


def protected_spans(text: str, protected: Iterable[str]) -> list[tuple[int, int]]:
    pattern = protected_pattern(frozenset(t.strip().lower() for t in protected if t.strip()))
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


def substitute(
    text: str,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str | None],
    protected: Iterable[str],
) -> tuple[str, int]:
    """Replace matches of ``pattern`` that do not touch a protected span.

    ``replace`` returns the new text for a match, or ``None`` to leave it; the count of
    replaced matches is returned with the text.
    """
    return replace_outside(text, pattern.finditer(text), protected_spans(text, protected), replace)


def replace_outside(
    text: str,
    matches: Iterable[re.Match[str]],
    spans: list[tuple[int, int]],
    replace: Callable[[re.Match[str]], str | None],
) -> tuple[str, int]:
    """Apply ``replace`` to the matches that touch none of ``spans``.

    Matches and spans are both in text order and disjoint (what ``finditer`` gives), so one
    forward walk over the spans finds each match's nearest one.
    """
    out: list[str] = []
    cursor = changed = nearest = 0
    for match in matches:
        while nearest < len(spans) and spans[nearest][1] <= match.start():
            nearest += 1
        if nearest < len(spans) and spans[nearest][0] < match.end():
            continue  # touches a protected span
        new = replace(match)
        if new is None or new == match.group():
            continue
        out.append(text[cursor : match.start()])
        out.append(new)
        cursor = match.end()
        changed += 1
    out.append(text[cursor:])
    return "".join(out), changed


def _whole_word(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def protected_in(text: str, protected: Iterable[str]) -> list[str]:
    """The protected terms as written in ``text`` (whole words), sorted and unique."""
    found = {
        m.group() for t in protected if t.strip() for m in _whole_word(t.strip()).finditer(text)
    }
    return sorted(found)


def protected_occurrences(text: str, protected: Iterable[str]) -> Counter[str]:
    """How often each protected term occurs as a whole word (case-insensitive)."""
    counts: Counter[str] = Counter()
    for term in {t.strip().lower() for t in protected if t.strip()}:
        found = len(_whole_word(term).findall(text))
        if found:
            counts[term] = found
    return counts


def missing_protected(before: str, after: str, protected: Iterable[str]) -> list[str]:
    """Protected terms that occur fewer times in ``after`` than in ``before``."""
    kept = protected_occurrences(after, protected)
    return sorted(t for t, n in protected_occurrences(before, protected).items() if kept[t] < n)


def match_case(template: str, word: str) -> str:
    """Give ``word`` the casing pattern of ``template`` (ALL CAPS, Title, lower)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
