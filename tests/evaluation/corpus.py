"""A made-up review corpus for the evaluation tests (project-written phrases, no real reviews).

Reviews are assembled from phrase banks with seeded choices, so two calls with different seeds
give two samples of the same distribution, and many thousands of distinct texts.
"""

from __future__ import annotations

import random

from reviewgen.core.datasets import ReviewRow

LEXICON = {
    "camera": ["camera", "photos", "pictures"],
    "battery": ["battery", "charge lasts"],
    "display": ["screen", "display"],
    "value": ["price", "worth", "money"],
}

_OPENERS = [
    "Bought this for my {who} {when}.",
    "I have had this phone for {when_ago}.",
    "Upgraded from an old {brand} {when}.",
    "Got it on sale {when}.",
    "Needed a cheap phone for {use}.",
    "Switched carriers and picked this one {when}.",
    "",
]
_WHO = ["daughter", "dad", "wife", "husband", "son", "grandmother", "brother", "coworker"]
_WHEN = ["last week", "in March", "before a trip", "over the holidays", "a month ago", "in June"]
_WHEN_AGO = ["two weeks", "three months", "about a year", "six weeks", "ten days", "a while"]
_BRAND = ["flip phone", "Android", "iPhone", "Moto", "Galaxy", "Nokia"]
_USE = ["work", "the kids", "travel", "emergencies", "my small business", "the gym"]
_GOOD = {
    "camera": [
        "The camera takes sharp photos even at night.",
        "Pictures come out bright and clear.",
        "Camera is better than I expected for {price}.",
    ],
    "battery": [
        "Battery easily gets me through {hours} hours.",
        "The charge lasts a full day of use.",
        "Battery life is great, I charge it every {days} days.",
    ],
    "display": [
        "The screen is bright and easy to read outside.",
        "Display looks crisp and colourful.",
        "Nice big screen for watching videos.",
    ],
    "value": [
        "Great value for {price}.",
        "Worth every penny at {price}.",
        "For the price you cannot beat it.",
    ],
}
_BAD = {
    "camera": [
        "The camera is blurry and slow to focus.",
        "Photos look washed out indoors.",
        "Camera app crashes every {days} days.",
    ],
    "battery": [
        "Battery dies after {hours} hours.",
        "The charge lasts half a day at best.",
        "Battery drains overnight even when idle.",
    ],
    "display": [
        "The screen scratched within {days} days.",
        "Display is dim and hard to read.",
        "Touch screen stops responding sometimes.",
    ],
    "value": ["Not worth {price} at all.", "Waste of money.", "Overpriced for what you get."],
}
_DETAILS = [
    "The {color} one arrived {day} in a {box} box.",
    "Setup took {mins} minutes with my {carrier} SIM.",
    "I mostly use it for {use} and {use2}.",
    "My old phone lasted {years} years before this one.",
    "Paired it with my {accessory} without any trouble.",
    "",
]
_COLOR = ["black", "blue", "silver", "green", "gold", "red", "white", "purple"]
_DAY = ["on Monday", "on Tuesday", "a day early", "two days late", "on Friday", "on time"]
_BOX = ["plain", "dented", "retail", "bubble-wrapped"]
_CARRIER = ["Verizon", "T-Mobile", "AT&T", "Mint", "Cricket", "prepaid"]
_ACCESSORY = ["smartwatch", "car stereo", "earbuds", "fitness band", "laptop", "speaker"]
_MIXED = [
    "It is okay for the basics.",
    "Some things are fine, others not so much.",
    "Does the job but nothing special.",
    "Average phone, average experience.",
]
_CLOSE_GOOD = [
    "Would buy again.",
    "Highly recommend it.",
    "Very happy so far!",
    "Love it.",
    "Five stars from me.",
    "",
]
_CLOSE_BAD = [
    "Returning it.",
    "Would not recommend.",
    "Very disappointed.",
    "Avoid this one.",
    "Asked for a refund.",
    "",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        who=rng.choice(_WHO),
        when=rng.choice(_WHEN),
        when_ago=rng.choice(_WHEN_AGO),
        brand=rng.choice(_BRAND),
        use=rng.choice(_USE),
        price=f"${rng.randrange(99, 999)}",
        hours=rng.randrange(3, 30),
        days=rng.randrange(2, 9),
        color=rng.choice(_COLOR),
        day=rng.choice(_DAY),
        box=rng.choice(_BOX),
        mins=rng.randrange(2, 60),
        carrier=rng.choice(_CARRIER),
        use2=rng.choice(_USE),
        years=rng.randrange(2, 9),
        accessory=rng.choice(_ACCESSORY),
    )


def make_text(rating: int, rng: random.Random) -> str:
    aspects = rng.sample(list(_GOOD), rng.randint(1, 3))
    parts = [_fill(rng.choice(_OPENERS), rng), _fill(rng.choice(_DETAILS), rng)]
    for aspect in aspects:
        bank = _GOOD if rating >= 4 else _BAD if rating <= 2 else rng.choice([_GOOD, _BAD])
        parts.append(_fill(rng.choice(bank[aspect]), rng))
    if rating == 3:
        parts.append(rng.choice(_MIXED))
    parts.append(rng.choice(_CLOSE_GOOD if rating >= 4 else _CLOSE_BAD if rating <= 2 else [""]))
    return " ".join(p for p in parts if p)


def make_reviews(n: int, seed: int, *, ratings: bool = True, prefix: str = "") -> list[ReviewRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rating = rng.choices([1, 2, 3, 4, 5], weights=[20, 10, 10, 20, 40])[0]
        text = (prefix + " " if prefix else "") + make_text(rating, rng)
        rows.append(ReviewRow(text=text, rating=rating if ratings else None, id=f"{seed}-{i}"))
    return rows


_FORMAL = [
    "The device delivers exceptional battery endurance; furthermore, charging is remarkably "
    "efficient.",
    "Its photographic capabilities are noteworthy, particularly in challenging illumination.",
    "The display exhibits outstanding luminosity and considerable colour accuracy.",
    "Performance remains consistently responsive across demanding applications.",
    "Overall, the construction quality communicates considerable refinement.",
    "Additionally, the software experience is intuitive and thoughtfully organised.",
    "Connectivity proved dependable throughout extended evaluation periods.",
    "Consequently, this handset represents a compelling proposition at its price point.",
]


def make_formal_reviews(n: int, seed: int) -> list[ReviewRow]:
    """Reviews in another register (long words, semicolons, no first person): any detector
    family should tell them from ``make_reviews``."""
    rng = random.Random(seed)
    return [
        ReviewRow(text=" ".join(rng.sample(_FORMAL, rng.randint(3, 6))), rating=5, id=f"f{i}")
        for i in range(n)
    ]
