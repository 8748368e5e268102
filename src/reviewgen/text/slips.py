"""The slips real customers make, found in text and learned as rates from a reference set.

A careful reader spots inserted keyboard typos ("waas", "phhone") inside fluent text at once;
real reviews slip differently: sound-alike words ("better then", "would of"), dropped
apostrophes ("dont"), a lower-case "i", no space after a full stop ("phone.I"), run-on
sentences, "u"/"thx", shouted words, "!!!", trailing "...", no final full stop, lower-case
sentence starts. ``detect`` counts each kind in a text (hits and chances); ``SlipModel``
learns from real reviews, per star rating and length band, which *sets* of kinds occur
together in one review (a writer who drops apostrophes also tends to skip capitals) and how
many of its chances a writer with the habit takes. ``SlipModel.draw`` gives a persona one
real-looking set of habits; ``reviewgen.augment.noise`` applies them.

Detection is deliberately narrow (a slip counts only in a context where it cannot be right,
e.g. "your welcome" but not "your phone"), so rates are lower bounds. Pure and fast: one
regex pass per kind, no model.
"""

from __future__ import annotations

import bisect
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reviewgen.text.words import word_count

SLIP_KINDS: tuple[str, ...] = (
    "homophone",  # a sound-alike word: your/you're, then/than, would of, alot
    "apostrophe",  # a contraction without its apostrophe: dont, im, thats
    "lower_i",  # the pronoun as "i"
    "no_space",  # no space after punctuation: "phone.I", "good,but"
    "run_on",  # a sentence of RUN_ON_WORDS or more words
    "textspeak",  # u, ur, pls, thx, tho, cuz, gonna
    "caps_word",  # a shouted word: "NEVER", "LOVE"
    "caps_rant",  # a whole sentence in capitals
    "repeated_punct",  # "!!", "!!!", "??"
    "ellipsis",  # ".." or "..." between thoughts
    "no_final_period",  # the review ends without punctuation
    "lower_start",  # a sentence starting in lower case
    "emoticon",  # :) :( ;-)
)
KIND_BIT = {kind: 1 << i for i, kind in enumerate(SLIP_KINDS)}
# Kinds whose absence the noise step may restore in a draft (a capital, an apostrophe, a final
# full stop); the others cannot be undone without rewriting (a run-on, a sound-alike word).
FIXABLE = frozenset(
    {"apostrophe", "lower_i", "no_space", "repeated_punct", "ellipsis", "no_final_period",
     "lower_start"}
)  # fmt: skip

RUN_ON_WORDS = 30
CAPS_RANT_WORDS = 4
# Word-count upper edges of the length bands (the last band is open): the shared real phone
# reviews have quartiles 15 / 27 / 54 words and a 10% tail over 115.
LENGTH_EDGES = (15, 30, 60, 115)
MIN_CELL = 30  # a (rating, band) cell with fewer reviews draws from its band over all ratings

# --- sound-alike words ----------------------------------------------------------------------
# (the right form, the slip, the slip in a context where it cannot be the right word)
HOMOPHONES: tuple[tuple[str, str, str], ...] = (
    ("you're", "your", r"your (?:welcome|not|going|gonna|getting|a|an|the|very|so|right)"),
    ("they're", "their", r"their (?:not|going|gonna|a|an|very|so|all|really|still)"),
    ("their", "there", r"there (?:own|phone|phones|customer|website|service|store|fault|stuff)"),
    ("there", "their", r"their (?:is|are|was|were|isn't|wasn't|aren't)"),
    ("than", "then", r"(?:better|more|less|rather|other|faster|slower|bigger|smaller|cheaper"
     r"|worse|longer|lighter|easier|higher|lower|fewer) then"),
    ("too", "to", r"to (?:much|many|slow|fast|big|small|expensive|bad|short|long|late|early)"
     r"(?= *[.!?,]|$)"),
    ("lose", "loose", r"loose (?:my|the|your|it|signal|connection|charge|power|data|service)"),
    ("buy", "by", r"(?:to|will|would|never|could|should|gonna|wanna) by (?:it|this|one|another"
     r"|a|an|from|again)"),
    ("new", "knew", r"(?:brand|like|a|the|my) knew"),
    ("know", "no", r"(?:i|you|we|they|don't|dont|didn't|didnt) no (?:how|what|why|if|that|where)"),
    ("would have", "would of", r"would of"),
    ("could have", "could of", r"could of"),
    ("should have", "should of", r"should of"),
    ("a lot", "alot", r"alot"),
    ("quite", "quiet", r"quiet (?:a|good|nice|well|often|happy|pleased|disappointed|sure)"),
    ("used to", "use to", r"use to (?:be|have|work|get|it)"),
    ("supposed to", "suppose to", r"suppose to"),
    ("definitely", "defiantly", r"defiantly"),
    ("piece", "peace", r"(?:a|this|that|great|good|nice|what a) peace of"),
    ("were", "where", r"(?:we|they|you) where"),
)  # fmt: skip


def wordlist(text: str) -> list[str]:
    """A space-separated word list (long lists read better as one string)."""
    return text.split()


def _words_re(alternatives: Iterable[str]) -> re.Pattern[str]:
    """Whole words or phrases, matched in lower-cased text (IGNORECASE is 2-3x slower)."""
    alt = "|".join(sorted(alternatives, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’])(?:{alt})(?![\w'’])")


_HOMOPHONE_SLIP_RE = _words_re(h[2] for h in HOMOPHONES)
_HOMOPHONE_RIGHT_RE = _words_re({re.escape(h[0]).replace("'", "['’]") for h in HOMOPHONES})

# --- contractions ---------------------------------------------------------------------------
# Contractions whose form without the apostrophe is not another word ("ill", "id", "well" and
# "were" are, so they are left out); "its" counts only before words "it is" takes.
CONTRACTIONS = wordlist(
    "don't doesn't didn't can't couldn't wouldn't shouldn't won't isn't wasn't aren't weren't "
    "haven't hasn't hadn't i'm i've you're they're that's there's what's he's she's "
    "would've could've should've you've we've they've"
)
ITS_NEXT = wordlist(
    "a an not very so been the really just great good ok okay too still like working pretty "
    "worth easy nice fine awesome perfect amazing exactly only also my definitely"
)
_BARE = frozenset(c.replace("'", "") for c in CONTRACTIONS)
_FULL = frozenset([*CONTRACTIONS, "it's"])
_ITS_SLIP_RE = re.compile(r"(?<![\w'’])its (?=(?:" + "|".join(ITS_NEXT) + r")\b)")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")

# --- the rest -------------------------------------------------------------------------------
_LOWER_I_RE = re.compile(r"(?<![\w'’.])i(?=(?:['’](?:m|ve|d|ll))?(?![\w'’]|\.e))")
_UPPER_I_RE = re.compile(r"(?<![\w'’.])I(?=(?:['’](?:m|ve|d|ll))?(?![\w'’]))")
_NO_SPACE_RE = re.compile(r"(?<=[a-z]{2})[.!?,](?=[A-Za-z]{2})(?!(?:com|net|org|co)\b)")
_SPACED_RE = re.compile(r"[.!?,](?=[ \t]+[A-Za-z])")
SENTENCE_SPLIT_RE = re.compile(r"[.!?…]+|\n+")
TEXTSPEAK = {
    "you": "u",
    "your": "ur",
    "please": "pls",
    "thanks": "thx",
    "though": "tho",
    "because": "cuz",
    "going to": "gonna",
    "want to": "wanna",
    "kind of": "kinda",
    "are": "r",
}
_TEXTSPEAK_FORMS = frozenset(
    wordlist("u ur r pls plz thx thanx tho cuz coz bc gonna wanna gotta kinda sorta idk lol omg")
    + wordlist("btw imo tbh ya")
)
_TEXTSPEAK_LONG_RE = _words_re(TEXTSPEAK)
# Capitalised abbreviations that are not shouting.
ACRONYMS = frozenset(
    wordlist(
        "USB LCD LED OLED AMOLED SIM GPS LTE IOS NFC RAM ROM HD FHD GB MB KB TV USA UK CDMA GSM "
        "IMEI ESN OTG SD SMS MMS APP APPS PC PIN DOA ATT HTC LG ZTE BLU IMO TBH LOL OMG FYI ASAP "
        "WIFI BT MP CPU GPU AC DC UPS FEDEX USPS DHL ID IPHONE IPAD AMAZON NYC CA TX FL MAC SSD "
        "ISP VZW TMO WTF AKA DIY EU BBB RMA ETA ATM"
    )
)
_CAPS_WORD_RE = re.compile(r"(?<![\w'’])[A-Z]{3,}(?:['’][A-Z]+)?(?![\w'’])")
_LONG_WORD_RE = re.compile(r"(?<![\w'’])[A-Za-z]{3,}")
_REPEATED_RE = re.compile(r"[!?]{2,}")
_ELLIPSIS_RE = re.compile(r"\.{2,}|…")
_SENTENCE_END_RE = re.compile(r"[.!?…]+(?=\s|$)")
_COMMA_RE = re.compile(r",(?=\s)")
_START_RE = re.compile(r"(?:\A|[.!?…]\s+|\n\s*)([A-Za-z])(?=([A-Za-z'’]?))")
_EMOTICON_RE = re.compile(r"(?<!\w)(?:[:;=]-?[()DPp]|[(]-?[:;=])(?!\w)")


@dataclass(frozen=True)
class Found:
    """One kind's count in a text: the slips made and the places one could have been made."""

    hits: int
    chances: int


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_SPLIT_RE.split(text) if s.strip()]


def _starts(text: str) -> tuple[int, int]:
    """(lower-case sentence starts, sentence starts); a lone "i" and "iPhone" are not counted."""
    lower = total = 0
    for match in _START_RE.finditer(text):
        letter, following = match.group(1), match.group(2)
        if letter in "iI" and not following.isalpha():  # the pronoun: lower_i counts it
            continue
        if letter.islower() and following.isupper():  # iPhone, eBay
            continue
        total += 1
        lower += letter.islower()
    return lower, total


def _caps(text: str) -> tuple[Found, Found]:
    """(shouted words outside rants, whole sentences in capitals)."""
    rants = chances = 0
    in_rant: list[str] = []
    for sentence in sentences(text):
        letters = sum(map(str.isalpha, sentence))
        if not letters or len(sentence.split()) < CAPS_RANT_WORDS:
            continue
        chances += 1
        if sum(map(str.isupper, sentence)) >= 0.9 * letters:
            rants += 1
            in_rant.append(sentence)
    outside = text
    for sentence in in_rant:
        outside = outside.replace(sentence, " ")
    shouted = sum(w.upper() not in ACRONYMS for w in _CAPS_WORD_RE.findall(outside))
    return Found(shouted, len(_LONG_WORD_RE.findall(text))), Found(rants, chances)


def detect(text: str) -> dict[str, Found]:
    """Every kind's hits and chances in ``text`` (kinds with no chance included, as 0/0)."""
    lower = text.lower()
    tokens = [t.replace("’", "'") for t in _TOKEN_RE.findall(lower)]
    ends = len(_SENTENCE_END_RE.findall(text))
    stripped = text.rstrip()
    unpunctuated = bool(stripped) and stripped[-1].isalnum()
    all_sentences = sentences(text)
    homophones = len(_HOMOPHONE_SLIP_RE.findall(lower))
    apostrophes = sum(t in _BARE for t in tokens) + len(_ITS_SLIP_RE.findall(lower))
    lower_i = len(_LOWER_I_RE.findall(text))
    no_space = len(_NO_SPACE_RE.findall(text))
    textspeak = sum(t in _TEXTSPEAK_FORMS for t in tokens)
    repeated = len(_REPEATED_RE.findall(text))
    ellipses = len(_ELLIPSIS_RE.findall(text))
    lower_starts, starts = _starts(text)
    caps_word, caps_rant = _caps(text)
    boundaries = ends + unpunctuated
    return {
        "homophone": Found(homophones, homophones + len(_HOMOPHONE_RIGHT_RE.findall(lower))),
        "apostrophe": Found(apostrophes, apostrophes + sum(t in _FULL for t in tokens)),
        "lower_i": Found(lower_i, lower_i + len(_UPPER_I_RE.findall(text))),
        "no_space": Found(no_space, no_space + len(_SPACED_RE.findall(text))),
        "run_on": Found(
            sum(word_count(s) >= RUN_ON_WORDS for s in all_sentences),
            len(all_sentences) if word_count(text) >= RUN_ON_WORDS else 0,
        ),
        "textspeak": Found(textspeak, textspeak + len(_TEXTSPEAK_LONG_RE.findall(lower))),
        "caps_word": caps_word,
        "caps_rant": caps_rant,
        "repeated_punct": Found(repeated, boundaries),
        "ellipsis": Found(ellipses, boundaries + len(_COMMA_RE.findall(text))),
        "no_final_period": Found(int(unpunctuated), int(bool(stripped))),
        "lower_start": Found(lower_starts, starts),
        "emoticon": Found(len(_EMOTICON_RE.findall(text)), boundaries),
    }


def profile(text: str) -> frozenset[str]:
    """The kinds of slip ``text`` shows at least once."""
    return frozenset(kind for kind, found in detect(text).items() if found.hits)


def length_band(words: int) -> int:
    return bisect.bisect_right(LENGTH_EDGES, words)


def _mask(kinds: Iterable[str]) -> int:
    return sum(KIND_BIT[k] for k in kinds)


def _kinds(mask: int) -> frozenset[str]:
    return frozenset(k for k, bit in KIND_BIT.items() if mask & bit)


QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)


@dataclass
class SlipModel:
    """Which sets of slips real reviews show, per (rating, length band), and how heavily.

    ``cells`` maps ``"<stars>:<band>"`` (``"*:<band>"`` over all ratings) to the review count
    and the count of each set of kinds (a bit mask over ``SLIP_KINDS``); ``intensity`` gives,
    per kind, quantiles of the share of its chances a review with the habit takes.
    """

    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    intensity: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def learn(cls, reviews: Iterable[tuple[str, int | None]]) -> SlipModel:
        sets: dict[str, Counter[int]] = {}
        taken: dict[str, list[float]] = {kind: [] for kind in SLIP_KINDS}
        for text, rating in reviews:
            found = detect(text)
            kinds = [k for k, f in found.items() if f.hits]
            band = length_band(word_count(text))
            mask = _mask(kinds)
            for key in {f"*:{band}", f"{rating if rating is not None else '*'}:{band}"}:
                sets.setdefault(key, Counter())[mask] += 1
            for kind in kinds:
                f = found[kind]
                taken[kind].append(min(1.0, f.hits / max(f.chances, 1)))
        cells = {
            key: {"n": sum(c.values()), "sets": sorted(([m, n] for m, n in c.items()),
                                                      key=lambda mn: (-mn[1], mn[0]))}
            for key, c in sorted(sets.items())
        }  # fmt: skip
        intensity = {k: _quantiles(v) for k, v in taken.items() if v}
        return cls(cells, intensity)

    def _cell(self, rating: int, band: int) -> dict[str, Any] | None:
        own = self.cells.get(f"{rating}:{band}")
        if own is not None and own["n"] >= MIN_CELL:
            return own
        return self.cells.get(f"*:{band}") or own

    def draw(self, rng: random.Random, rating: int, words: int) -> dict[str, float]:
        """One real-looking set of habits for a review of ``rating`` stars and about ``words``
        words: kind -> share of its chances to take (empty: a review without slips)."""
        cell = self._cell(rating, length_band(words))
        if not cell:
            return {}
        masks, weights = zip(*cell["sets"], strict=True)
        kinds = _kinds(rng.choices(masks, weights=weights)[0])
        return {k: rng.choice(self.intensity.get(k) or [1.0]) for k in sorted(kinds)}

    def cell_shares(self, rating: int, words: int) -> dict[str, float]:
        """Share of reviews showing each kind among those a draw for (rating, words) uses."""
        cell = self._cell(rating, length_band(words)) or {"n": 0, "sets": []}
        counts = {k: sum(n for mask, n in cell["sets"] if mask & KIND_BIT[k]) for k in SLIP_KINDS}
        return {k: counts[k] / cell["n"] if cell["n"] else 0.0 for k in SLIP_KINDS}

    def shares(self, rating: int | None = None) -> dict[str, float]:
        """Share of reviews (of ``rating`` stars, else all) that show each kind."""
        prefix = "*" if rating is None else str(rating)
        counts: Counter[str] = Counter()
        total = 0
        for key, cell in self.cells.items():
            if key.split(":")[0] != prefix:
                continue
            total += cell["n"]
            for mask, n in cell["sets"]:
                for kind in _kinds(mask):
                    counts[kind] += n
        return {k: round(counts[k] / total, 4) if total else 0.0 for k in SLIP_KINDS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(SLIP_KINDS),
            "length_edges": list(LENGTH_EDGES),
            "cells": self.cells,
            "intensity": self.intensity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlipModel:
        if list(data.get("kinds", [])) != list(SLIP_KINDS) or list(
            data.get("length_edges", [])
        ) != list(LENGTH_EDGES):
            raise ValueError("slip rates were measured with other kinds or length bands")
        return cls(dict(data["cells"]), dict(data["intensity"]))


def _quantiles(values: list[float]) -> list[float]:
    ordered = sorted(values)
    last = len(ordered) - 1
    return [round(ordered[round(q * last)], 3) for q in QUANTILES]


DEFAULT_RATES = Path(__file__).parent.parent / "data" / "slip_rates.json"


@lru_cache(maxsize=1)
def default_model() -> SlipModel:
    """Rates measured on the shared real phone reviews (``benchmarks/bench_slips.py``)."""
    return SlipModel.from_dict(json.loads(DEFAULT_RATES.read_text(encoding="utf-8")))
