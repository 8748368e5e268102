"""The persona agent: who writes the review, about which product, with how many stars.

Sampling is seeded per slot (``sha256(run_seed, slot, generation)``), so the same seed gives
the same personas whatever the concurrency. Star ratings are allocated by quota over the whole
run rather than drawn independently: a slot keeps its rating through retries and replacement,
so critic rejections (which hit 1-star drafts hardest) cannot skew the delivered mix.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewgen.core.allocation import largest_remainder
from reviewgen.core.config import Config
from reviewgen.core.schemas import Persona, Product, ReviewPlan, WritingStyle, persona_traits
from reviewgen.core.seeds import item_rng, stable_int
from reviewgen.text.slips import SlipModel, default_model

if TYPE_CHECKING:
    from reviewgen.agents.quotas import Quotas

# Tries to draw a length whose quota bin is open before settling for any real length.
OPEN_BIN_TRIES = 30
# Length bands (10 words wide, the last open-ended) for the share of reviews naming no aspect:
# in the real phone reviews it falls from 54% under 10 words to 2% over 60.
BAND_WORDS, BANDS = 10, 7
MIN_BAND_ROWS = 20  # a band with fewer reference reviews takes the overall share


@dataclass
class Calibration:
    """Distributions taken from a reference dataset ("more data like ours")."""

    ratings: dict[int, float] | None = None
    lengths: dict[int, list[int]] = field(default_factory=dict)  # star -> word counts
    products: list[tuple[Product, float]] | None = None
    aspects: dict[str, float] | None = None  # aspect -> share of reviews that mention it
    untargeted: list[float] = field(default_factory=list)  # length band -> share naming none
    vocabulary: list[str] = field(default_factory=list)  # texts a llama.cpp writer's words follow
    slips: SlipModel | None = None  # which slips real writers make; None: the shipped rates

    def all_lengths(self) -> list[int]:
        return [n for values in self.lengths.values() for n in values]

    def untargeted_share(self, words: int) -> float:
        """Share of reference reviews of about this length that mention no aspect."""
        return self.untargeted[length_band(words)] if self.untargeted else 0.0


def length_band(words: int) -> int:
    return min(words // BAND_WORDS, BANDS - 1)


def untargeted_shares(reviews: Sequence[tuple[int, bool]]) -> list[float]:
    """Per length band, the share of reviews naming no aspect, from (words, names one) pairs."""
    if not reviews:
        return []
    overall = sum(not named for _, named in reviews) / len(reviews)
    bands: list[list[bool]] = [[] for _ in range(BANDS)]
    for words, named in reviews:
        bands[length_band(words)].append(not named)
    return [sum(b) / len(b) if len(b) >= MIN_BAND_ROWS else overall for b in bands]


def _draw(rng: random.Random, choices: Mapping[str, float] | Sequence[str]) -> str:
    """A weighted draw from a mapping, a uniform one from a list (a trait's config)."""
    return _pick(rng, choices) if isinstance(choices, Mapping) else rng.choice(choices)


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _weighted_sample(rng: random.Random, weights: Mapping[str, float], k: int) -> list[str]:
    """k distinct keys, each draw proportional to the remaining weights."""
    pool = dict(weights)
    chosen = []
    for _ in range(min(k, len(pool))):
        key = _pick(rng, pool)
        chosen.append(key)
        del pool[key]
    return chosen


class PersonaAgent:
    def __init__(
        self,
        config: Config,
        calibration: Calibration | None = None,
        quotas: Quotas | None = None,
    ) -> None:
        self.config = config
        self.calibration = calibration or Calibration()
        self.quotas = quotas  # set after construction: the aspect quota is sized from plans
        self.products: list[tuple[Product, float]] = self.calibration.products or [
            (Product(**{k: v for k, v in p.items() if k != "weight"}), float(p.get("weight", 1)))
            for p in config.category.products
        ]
        self.rating_weights = self.calibration.ratings or config.persona.ratings

    def allocate(self, count: int, run_seed: int) -> list[int]:
        """The star rating of each slot: exact quotas, in a seeded order."""
        counts = largest_remainder(self.rating_weights, count)
        ratings = [star for star, n in sorted(counts.items()) for _ in range(n)]
        random.Random(stable_int(run_seed, "ratings", count)).shuffle(ratings)
        return ratings

    def persona(self, rng: random.Random) -> Persona:
        cfg = self.config.persona
        mix = cfg.style
        base = self.calibration.aspects or cfg.aspect_weights
        aspect_weights = {a: base.get(a, 1.0) for a in self.config.category.aspects}
        priorities = {
            a: round(w * rng.lognormvariate(0, 0.6), 3) for a, w in aspect_weights.items()
        }
        style = WritingStyle(verbosity=_pick(rng, mix.verbosity), emoji=rng.random() < mix.emoji)
        traits = {name: _draw(rng, getattr(cfg, key)) for name, key, _ in persona_traits()}
        return Persona(
            **traits,
            priorities=priorities,
            style=style,
        )

    def length_target(self, rng: random.Random, rating: int, style: WritingStyle) -> int:
        lengths = self.calibration.lengths.get(rating) or self.calibration.all_lengths()
        if lengths:
            choice = rng.choice(lengths)
            if self.quotas is not None and self.quotas.length is not None:
                for _ in range(OPEN_BIN_TRIES):
                    if self.quotas.length.has_room(choice, self.quotas.relief):
                        break
                    choice = rng.choice(lengths)
            return max(3, choice)
        spec = self.config.persona.length
        low, high = spec.min_words, spec.max_words
        middle = (low + high) // 2
        if style.verbosity == "terse":
            high = middle
        elif style.verbosity == "chatty":
            low = middle
        return rng.randint(low, high)

    def slips(self, seed: int, rating: int, length: int) -> dict[str, float]:
        """The slips of a real review of this rating and length (its own stream of draws, so
        plans keep their other choices whatever the slip rates)."""
        rng = item_rng(seed, "slips")
        if rng.random() >= self.config.persona.style.slips:
            return {}
        return (self.calibration.slips or default_model()).draw(rng, rating, length)

    def _open(self, priorities: dict[str, float]) -> dict[str, float]:
        """The priorities of aspects whose quota has room (all of them when none has)."""
        if self.quotas is None or self.quotas.aspects is None:
            return priorities
        quota, relief = self.quotas.aspects, self.quotas.relief
        return {a: w for a, w in priorities.items() if quota.is_open(a, relief)} or priorities

    def aspect_shares(self, samples: int = 600) -> dict[str, float]:
        """Share of plans that target each aspect: the configured topic mix, as sampled."""
        counts = dict.fromkeys(self.config.category.aspects, 0)
        ratings = self.allocate(samples, run_seed=0)
        for i, rating in enumerate(ratings):
            for aspect in self.plan(i, rating, run_seed=-1).aspects:
                counts[aspect] += 1
        return {a: n / samples for a, n in counts.items()}

    def plan(self, slot: int, rating: int, run_seed: int, generation: int = 0) -> ReviewPlan:
        """The plan for one slot. A slot keeps its plan through every retry; only a slot given
        up after too many failed candidates is re-planned (``generation`` + 1), keeping its
        star rating so the quota still holds."""
        seed = stable_int(run_seed, "slot", slot, generation)
        rng = item_rng(seed)
        persona = self.persona(rng)
        products, weights = zip(*self.products, strict=True)
        product = rng.choices(products, weights=weights)[0]
        length = self.length_target(rng, rating, persona.style)
        low, high = self.config.persona.aspects_per_review
        # Real short reviews touch one topic; do not ask 40 words to cover three.
        wanted = max(1, min(rng.randint(low, high), length // 30))
        # Calibrated: as many reviews as in the reference name no aspect ("works great").
        # Uncalibrated plans draw no number here, so runs without a reference keep their plans.
        if self.calibration.untargeted and rng.random() < self.calibration.untargeted_share(length):
            wanted = 0
        aspects = _weighted_sample(rng, self._open(persona.priorities), wanted)
        persona.style.slips = self.slips(seed, rating, length)
        return ReviewPlan(
            index=slot,
            seed=seed,
            persona=persona,
            product=product,
            rating=rating,
            aspects=aspects,
            length_target=length,
        )


def products_from_reference(
    names: Sequence[tuple[str, str]], limit: int
) -> list[tuple[Product, float]]:
    """The most reviewed products of a reference set, weighted by review count."""
    counts: dict[tuple[str, str], int] = {}
    for name, brand in names:
        counts[(name, brand)] = counts.get((name, brand), 0) + 1
    top = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    return [(Product(name=name, brand=brand), float(n)) for (name, brand), n in top]
