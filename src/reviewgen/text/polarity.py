"""A small polarity lexicon for phone reviews, independent of VADER (written for reviewgen).

The evaluation scores agreement between stars and tone with VADER; a critic that steered by
VADER alone would tune drafts to the measuring stick. This lexicon reads what VADER misses in
product reviews ("returned it", "stopped working", "no problems", "as described") and is
combined with VADER by ``rating_consistency.v1``. Negators flip the next three words;
phrases are matched before single words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewgen.text.slips import wordlist

# Phrases first (they overrule the words inside them), then words. Weights 1 (mild) to 3.
PHRASES: dict[str, float] = {
    "no problems": 2,
    "no problem": 2,
    "no issues": 2,
    "no issue": 2,
    "no complaints": 2,
    "not bad": 1,
    "as described": 2,
    "as advertised": 2,
    "works great": 3,
    "works perfectly": 3,
    "works perfect": 3,
    "works fine": 2,
    "works well": 2,
    "works good": 2,
    "like new": 2,
    "brand new": 1,
    "highly recommend": 3,
    "would recommend": 2,
    "five stars": 2,
    "5 stars": 2,
    "love it": 3,
    "love this": 3,
    "happy with": 2,
    "worth the money": 2,
    "worth every": 2,
    "good deal": 2,
    "great deal": 3,
    "stopped working": -3,
    "quit working": -3,
    "doesn't work": -3,
    "does not work": -3,
    "didn't work": -3,
    "did not work": -3,
    "won't turn on": -3,
    "wont turn on": -3,
    "not working": -3,
    "would not recommend": -3,
    "wouldn't recommend": -3,
    "do not buy": -3,
    "don't buy": -3,
    "dont buy": -3,
    "waste of money": -3,
    "waste of time": -3,
    "sent it back": -2,
    "sent back": -2,
    "not happy": -2,
    "not worth": -2,
    "not as described": -3,
    "not unlocked": -2,
    "not new": -2,
    "one star": -2,
    "1 star": -2,
    "piece of junk": -3,
    "piece of crap": -3,
    "fell apart": -3,
    "died after": -3,
    "battery died": -2,
}
WORDS: dict[str, float] = {
    # positive
    "love": 2, "loves": 2, "loved": 2, "great": 2, "excellent": 3, "perfect": 3, "perfectly": 2,
    "awesome": 3, "amazing": 3, "fantastic": 3, "wonderful": 3, "best": 2, "good": 1, "nice": 1,
    "happy": 2, "pleased": 2, "satisfied": 2, "recommend": 2, "beautiful": 2, "easy": 1,
    "fast": 1, "smooth": 1, "reliable": 2, "sturdy": 1, "gorgeous": 2, "impressed": 2,
    "glad": 2, "thanks": 1, "thank": 1, "fine": 1, "solid": 1, "quick": 1, "clear": 1,
    "crisp": 1, "bright": 1, "favorite": 2, "superb": 3, "outstanding": 3, "exceeded": 2,
    "worth": 1, "bargain": 2, "flawless": 3, "affordable": 1, "responsive": 1, "enjoy": 2,
    # negative
    "bad": -2, "terrible": -3, "horrible": -3, "awful": -3, "worst": -3, "poor": -2,
    "junk": -3, "garbage": -3, "crap": -3, "useless": -3, "defective": -3, "broken": -3,
    "broke": -2, "cracked": -2, "dead": -2, "died": -2, "dies": -2, "disappointed": -2,
    "disappointing": -2, "disappointment": -2, "return": -1, "returned": -2, "returning": -2,
    "refund": -2, "refunded": -1, "scam": -3, "fake": -3, "fraud": -3, "waste": -3, "slow": -1,
    "freezes": -2, "freezing": -2, "froze": -2, "lag": -1, "laggy": -2, "glitch": -2,
    "glitchy": -2, "overheats": -2, "overheating": -2, "problem": -1, "problems": -1,
    "issue": -1, "issues": -1, "unfortunately": -2, "never": -1, "annoying": -2, "hate": -3,
    "wrong": -2, "missing": -2, "damaged": -2, "scratched": -1, "worse": -2, "cheap": -1,
    "avoid": -2, "beware": -2, "unusable": -3, "restarts": -2, "reboots": -2, "locked": -1,
    "stuck": -2, "failed": -2, "fails": -2, "poorly": -2, "sucks": -3, "lousy": -2,
}  # fmt: skip
NEGATORS = frozenset(
    wordlist(
        "not no never don't dont doesn't doesnt didn't didnt isn't isnt wasn't wasnt won't wont "
        "can't cant couldn't couldnt wouldn't wouldnt hardly without"
    )
)
NEGATION_REACH = 3
_CLAUSE_RE = re.compile(r"[.,;:!?()\n]+|\bbut\b")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_PHRASE_RE = re.compile(
    r"(?<![a-z0-9'])(?:"
    + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True))
    + r")(?![a-z0-9'])"
)


@lru_cache(maxsize=1024)
def polarity(text: str) -> float:
    """A score in (-1, 1): (positive - negative weight) / (their sum + 1)."""
    lower = text.lower().replace("’", "'")
    positive = negative = 0.0
    for phrase in _PHRASE_RE.findall(lower):
        weight = PHRASES[phrase]
        positive, negative = positive + max(weight, 0), negative - min(weight, 0)
    for clause in _CLAUSE_RE.split(_PHRASE_RE.sub(",", lower)):
        since_negator = NEGATION_REACH + 1  # a negator reaches to the clause's end at most
        for token in _TOKEN_RE.findall(clause):
            if token in NEGATORS:
                since_negator = 0
                continue
            since_negator += 1
            weight = WORDS.get(token, 0.0)
            if since_negator <= NEGATION_REACH:
                weight = -weight / 2  # "not great" is mildly negative, "not bad" mildly positive
            positive, negative = positive + max(weight, 0), negative - min(weight, 0)
    return (positive - negative) / (positive + negative + 1)
