"""Deterministic review-like text for the fake provider's dry runs and benchmarks.

It reads the rating, product, aspects and length from the writer's chat prompt and strings
together phrases, so offline pipeline runs exercise the critic and the duplicate store with
text of the right shape. It is not a language model and its output is not meant to be realistic.
"""

from __future__ import annotations

import random
import re

from reviewgen.seeds import stable_int

OPENERS = {
    "positive": [
        "Really happy with this {noun}.",
        "Love it so far.",
        "Great {noun} for me.",
        "Works great.",
        "Very pleased with the purchase.",
    ],
    "negative": [
        "Very disappointed.",
        "Not happy with this {noun} at all.",
        "Would not buy again.",
        "This was a mistake.",
        "Returned it after a week.",
    ],
    "mixed": ["It's okay.", "Mixed feelings about this one.", "Decent but not great."],
}
ASPECT_LINES = {
    "positive": [
        "The {term} is great",
        "I love the {term}",
        "The {term} is better than I expected",
        "No complaints about the {term}",
        "Really good {term}",
    ],
    "negative": [
        "The {term} is terrible",
        "I hate the {term}",
        "The {term} is a real problem",
        "Awful {term}",
        "The {term} stopped working right",
    ],
    "mixed": ["The {term} is fine", "The {term} could be better", "The {term} is just average"],
}
FILLERS = [
    "I use it every day for work",
    "my old one lasted four years",
    "got it on sale",
    "my daughter has the same one",
    "had it about two months now",
    "switched from my old one",
    "I mostly text and call",
    "took it on a trip last week",
    "bought it as a gift",
    "set up was quick",
    "it came in a plain box",
    "the case fits fine",
]
CLOSERS = {
    "positive": ["Would recommend.", "Five stars from me.", "Happy customer."],
    "negative": ["Stay away.", "Sending it back.", "Not worth it."],
    "mixed": ["Might keep it.", "We'll see how it holds up.", "It does the job."],
}


def _field(pattern: str, prompt: str, default: str) -> str:
    match = re.search(pattern, prompt)
    return match.group(1).strip() if match else default


def compose_review(prompt: str) -> str:
    rating = int(_field(r"(\d)-star review", prompt, "4"))
    aspects = _field(r"Talk about: ([^\n]+?)\.?\n", prompt, "value").split(", ")
    length = int(_field(r"about (\d+) words", prompt, "40"))
    tone = "positive" if rating >= 4 else "negative" if rating <= 2 else "mixed"
    rng = random.Random(stable_int(prompt))
    parts = [rng.choice(OPENERS[tone]).format(noun="phone")]
    for aspect in aspects:
        term = aspect.strip() or "price"
        parts.append(rng.choice(ASPECT_LINES[tone]).format(term=term) + ".")
    fillers = rng.sample(FILLERS, k=len(FILLERS))
    while sum(len(p.split()) for p in parts) < length * 0.9 and fillers:
        parts.append(fillers.pop().capitalize() + ".")
    parts.append(rng.choice(CLOSERS[tone]))
    return " ".join(parts)
