"""Assistant-style phrases: stock wording of generated text, counted in both sets.

A fixed list of phrases language models overuse in reviews ("overall", "i must say", "worth
every penny", "additionally", ...). Real customers use them too, so the measure is a ratio: hits
per 1,000 words in the synthetic set over the same rate in the real set (1 = as often as real
reviews). A rate per word does not depend on how many reviews there are, so each set's whole
sample counts: the phrases are rare, and more real text steadies the real rate. The list leaves
out the patterns of the ``ai_tells.v1`` critic rule (preambles, advert words such as
"seamless"), so that filter does not decide this number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.text.words import word_count

MIN_ROWS = 20
TOP = 10
PHRASES = (
    "overall", "all in all", "in summary", "to sum up", "additionally", "furthermore",
    "moreover", "in terms of", "when it comes to", "it's worth noting", "it is worth noting",
    "i must say", "i have to say", "i highly recommend", "highly recommend",
    "would definitely recommend", "i would recommend", "exceeded my expectations",
    "pleasantly surprised", "worth every penny", "bang for your buck", "value for money",
    "the only downside", "one downside", "the only drawback", "a must-have", "must have",
    "great choice", "solid choice", "overall experience", "i'm impressed", "i am impressed",
    "vibrant", "crisp", "sleek", "smooth", "incredibly", "truly", "thoroughly",
    "absolutely love", "a great option", "if you're looking for", "if you are looking for",
    "not only", "i am very satisfied", "satisfied with my purchase", "couldn't be happier",
    "does the job", "for the price",
)  # fmt: skip
_PATTERNS = {
    phrase: re.compile(r"(?<![\w'])" + re.escape(phrase) + r"(?![\w'])") for phrase in PHRASES
}


def _hits(texts: Sequence[str]) -> dict[str, int]:
    lowered = [t.lower().replace("’", "'") for t in texts]
    return {phrase: sum(len(p.findall(t)) for t in lowered) for phrase, p in _PATTERNS.items()}


def compare_phrases(synthetic: Sequence[str], real: Sequence[str]) -> dict[str, Any]:
    """Rates per 1,000 words, their ratio and the phrases most over-used."""
    if min(len(synthetic), len(real)) < MIN_ROWS:
        return not_enough_data(
            f"needs at least {MIN_ROWS} reviews per set "
            f"(synthetic {len(synthetic)}, real {len(real)})"
        )
    syn_hits, real_hits = _hits(synthetic), _hits(real)
    syn_words = max(1, sum(map(word_count, synthetic)))
    real_words = max(1, sum(map(word_count, real)))
    syn_rate = 1000 * sum(syn_hits.values()) / syn_words
    real_rate = 1000 * sum(real_hits.values()) / real_words
    over = sorted(
        PHRASES,
        key=lambda p: syn_hits[p] / syn_words - real_hits[p] / real_words,
        reverse=True,
    )
    return {
        "status": OK,
        "n": {"synthetic": len(synthetic), "real": len(real)},
        "words": {"synthetic": syn_words, "real": real_words},
        "per_1k_words": {"synthetic": rounded(syn_rate, 3), "real": rounded(real_rate, 3)},
        "ratio": rounded(syn_rate / real_rate, 3) if real_rate else None,
        "top": [
            {
                "phrase": p,
                "synthetic_per_1k_words": rounded(1000 * syn_hits[p] / syn_words, 3),
                "real_per_1k_words": rounded(1000 * real_hits[p] / real_words, 3),
            }
            for p in over[:TOP]
            if syn_hits[p]
        ],
    }
