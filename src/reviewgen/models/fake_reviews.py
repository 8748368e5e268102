"""Deterministic review-like text for the fake provider's dry runs and benchmarks.

It reads the rating, product, aspects and length from the writer's chat prompt and fills
sentence templates from word lists, so offline runs exercise the critic and the duplicate store
with varied text of the right shape. It is not a language model and not meant to be realistic.
"""

from __future__ import annotations

import random
import re

from reviewgen.core.seeds import stable_int
from reviewgen.text.lexicon_en import SYNONYM_GROUPS

# Neutral nouns and verbs: random picks keep fake texts apart in the duplicate store.
NOUNS = sorted({w for pos, group in SYNONYM_GROUPS if pos == "noun" for w in group if " " not in w})
VERBS = sorted({w for pos, group in SYNONYM_GROUPS if pos == "verb" for w in group if " " not in w})

GOOD = [
    "great",
    "excellent",
    "solid",
    "fantastic",
    "really good",
    "impressive",
    "reliable",
    "awesome",
    "nice",
    "superb",
    "lovely",
    "decent enough",
    "brilliant",
]
BAD = [
    "terrible",
    "awful",
    "poor",
    "disappointing",
    "useless",
    "horrible",
    "weak",
    "bad",
    "unreliable",
    "frustrating",
    "pathetic",
    "lousy",
    "broken",
    "annoying",
]
MEH = ["okay", "average", "fine", "so-so", "passable", "acceptable", "mediocre", "alright"]
WHO = [
    "my wife",
    "my son",
    "my dad",
    "my coworker",
    "my sister",
    "my roommate",
    "my neighbor",
    "my grandma",
    "my boss",
    "my daughter",
    "my brother",
    "my husband",
    "a friend",
]
WHEN = [
    "last week",
    "two months ago",
    "in march",
    "before christmas",
    "on black friday",
    "over the summer",
    "three weeks ago",
    "after my old one died",
    "for my birthday",
    "during a sale",
    "yesterday",
    "a while back",
    "right after the launch",
]
DOING = [
    "texting",
    "watching videos",
    "navigation",
    "taking photos",
    "playing games",
    "reading news",
    "video calls",
    "listening to podcasts",
    "work email",
    "banking apps",
    "streaming music",
    "browsing reddit",
    "scrolling instagram",
    "online classes",
]
PLACES = [
    "on the bus",
    "at work",
    "at the gym",
    "on vacation",
    "in the car",
    "at home",
    "on a hike",
    "at the beach",
    "in meetings",
    "at school",
    "on the train",
]
TEMPLATES = [
    "Bought it {when} and use it mostly for {doing} {place}.",
    "{who} recommended it and {who2} ended up getting one too.",
    "I had it about {n} weeks now, mostly {doing}.",
    "Paid around {price} dollars which felt {fair}.",
    "Coming from a {n}-year-old phone it is a change.",
    "{who} borrowed it for {doing} {place} and wants one.",
    "Setup took {n} minutes {place}.",
    "It survived a drop {place} {when}.",
    "The {noun} and the {noun2} {verb} the way I hoped {place}.",
    "I {verb} the {noun} {when} and the {noun2} too.",
    "Not sure about the {noun}, but {who2} likes the {noun2}.",
    "Charging it takes about {n} minutes {place}.",
    "I mostly keep it in my pocket {place}.",
    "{who} set it up for me {when}.",
    "The box had a cable and a {noun} in it.",
    "Switched over from my old {noun} {when}.",
    "Used it for {doing} all weekend {place}.",
    "My plan is with a small carrier, no issues there.",
    "Took it on a {n} hour trip {when}.",
]
# One every few sentences, so long texts keep the star rating's tone (VADER reads the filler).
TONE_LINES = [
    "Honestly it feels {tone}.",
    "{who} thinks it is {tone} too.",
    "Day to day it is {tone}.",
    "For the money it is {tone}.",
    "So far {tone}, that is my take.",
]

TONE = {"positive": GOOD, "negative": BAD, "mixed": MEH}


def _field(pattern: str, prompt: str, default: str) -> str:
    match = re.search(pattern, prompt)
    return match.group(1).strip() if match else default


def compose_review(prompt: str) -> str:
    rating = int(_field(r"(\d)-star review", prompt, "4"))
    aspects = _field(r"Talk about: ([^\n]+?)\.?\n", prompt, "value").split(", ")
    length = int(_field(r"about (\d+) words", prompt, "40"))
    tone = "positive" if rating >= 4 else "negative" if rating <= 2 else "mixed"
    rng = random.Random(stable_int(prompt))
    words = TONE[tone]
    parts = [
        f"The {aspect.strip() or 'price'} is {rng.choice(words)}, "
        f"{rng.choice(['honestly', 'really', 'to be fair', 'no joke', 'for me'])}."
        for aspect in aspects
    ]
    count = sum(len(p.split()) for p in parts)
    # Each template once before any repeats: real reviews do not loop, and the critic's
    # degeneration rule rightly fails a text that does.
    fillers = rng.sample(TEMPLATES, len(TEMPLATES))
    tone_lines = rng.sample(TONE_LINES, len(TONE_LINES))
    while count < length:
        if len(parts) % 4 == 3:
            template = tone_lines[len(parts) % len(tone_lines)]
        else:
            template = fillers[len(parts) % len(fillers)]
        parts.append(
            template.format(
                when=rng.choice(WHEN),
                doing=rng.choice(DOING),
                place=rng.choice(PLACES),
                who=rng.choice(WHO).capitalize(),
                who2=rng.choice(WHO),
                n=rng.randint(2, 19),
                price=rng.randint(150, 1300),
                fair=rng.choice(words),
                tone=rng.choice(words),
                noun=rng.choice(NOUNS),
                noun2=rng.choice(NOUNS),
                verb=rng.choice(VERBS),
            )
        )
        count += len(parts[-1].split())
    parts.insert(rng.randrange(len(parts) + 1), f"Overall {rng.choice(words)}.")
    return " ".join(parts)
