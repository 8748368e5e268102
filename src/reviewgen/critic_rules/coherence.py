"""``coherence.v1``: catch drafts that contradict themselves or their own product, without a
strong model.

A careful reader caught small-model reviews by their incoherence: the battery "lasts two days"
and "dies by noon" in the same review, "highly recommend" next to "do not buy", "five stars"
in a one-star review, "this iPhone" in a review of a Galaxy. Real reviews do change their mind
("great at first, now it freezes"), so each check stands down when the text marks a contrast
or a change over time. Five checks, all lexical:

- ``aspect``: one aspect (the config's lexicon) praised in one sentence and damned in another,
  both clearly (tone beyond ``clear_tone``), with no contrast or time word in the later one;
- ``verdict``: opposite overall verdicts ("would recommend" / "would not recommend", "love it"
  / "hate it", "best phone" / "worst phone");
- ``stars``: the text names a star count ``max_star_gap`` or more away from its rating;
- ``product``: "this <model>", "my new <model>" naming another maker's phone than the plan's;
- ``units``: a quantity in another part's unit ("a 4 GB battery", "a 3000 mAh camera").

The tone of a sentence is ``rating_consistency``'s (VADER and reviewgen's own lexicon).
``benchmarks/bench_realism_rules.py`` measures how many real reviews each check would fail.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Product, Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.critic_rules.rating_consistency import tone
from reviewgen.text.slips import sentences

_I = re.IGNORECASE
# Words that let a review change its mind: contrast, time, conditions.
_TURN_RE = re.compile(
    r"\b(?:but|however|though|although|except|yet|still|now|then|after|later|until|anymore|"
    r"first|at first|initially|used to|was|were|had|since|before|when|if|only|other than|"
    r"replacement|second one|new one|old one|previous|last one|other|unlike|compared)\b",
    _I,
)
# Opposite verdicts: any of the left with any of the right.
_VERDICTS = (
    (
        r"\b(?:highly|definitely|would|i) recommend(?:ed)?\b",
        r"\b(?:not|n't|never|don't|dont) (?:\w+ )?recommend\b",
    ),
    (r"\blove (?:it|this phone|this)\b", r"\bhate (?:it|this phone|this)\b"),
    (r"\bbest (?:phone|purchase|smartphone)\b", r"\bworst (?:phone|purchase|smartphone)\b"),
    (r"\b(?:must buy|buy it|buy this)\b", r"\b(?:do not|don't|dont|never) buy\b"),
)
_VERDICT_RES = tuple((re.compile(a, _I), re.compile(b, _I)) for a, b in _VERDICTS)
_NUMBERS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STARS_RE = re.compile(
    r"\b(zero|no|one|two|three|four|five|[0-5])(?:\.\d)? ?(?:-| out of 5 )?stars?\b", _I
)
# "5 stars for the seller", "if I could give zero stars": not the reviewer's verdict on this.
_STARS_EXCUSE_RE = re.compile(
    r"\b(?:seller|shipping|delivery|if i could|would|wish|reviews?|others?|people|rated|off|"
    r"dropped|minus|took|deduct\w*)\b",
    _I,
)
# Makers by the names people call their phones, for "this <name>" checks.
MAKERS: dict[str, tuple[str, ...]] = {
    "apple": ("apple", "iphone", "iphones"),
    "samsung": ("samsung", "galaxy"),
    "google": ("google", "pixel", "nexus"),
    "motorola": ("motorola", "moto", "razr", "droid"),
    "oneplus": ("oneplus",),
    "xiaomi": ("xiaomi", "redmi", "poco"),
    "sony": ("sony", "xperia"),
    "nokia": ("nokia", "lumia"),
    "lg": ("lg",),
    "htc": ("htc",),
    "blackberry": ("blackberry",),
    "huawei": ("huawei", "honor"),
    "alcatel": ("alcatel",),
    "lenovo": ("lenovo",),
    "blu": ("blu",),
    "zte": ("zte",),
    "nothing": (),  # "Nothing Phone": too common a word to look for
}
_MAKER_OF = {name: maker for maker, names in MAKERS.items() for name in names}
_THIS_MODEL_RE = re.compile(
    r"\b(?:this|my new|the new|this new|love my|loving my|these)\s+("
    + "|".join(sorted(_MAKER_OF, key=len, reverse=True))
    + r")\b",
    _I,
)


# A quantity in the unit of another part: "a 4 GB battery", "a 3000 mAh camera", "12 MP storage".
_UNITS = {
    "storage": r"\d+(?:\.\d+)? ?(?:gb|tb|gigs?)\b",
    "charge": r"\d{3,5} ?mah\b",
    "pixels": r"\d+(?:\.\d+)? ?(?:mp|megapixels?)\b",
}
_PARTS = {
    "storage": r"(?:storage|memory|ram|sd card)",
    "charge": r"(?:battery|batteries)",
    "pixels": r"(?:camera|cameras|lens|selfie)",
}
_WRONG_UNIT_RE = re.compile(
    "|".join(
        rf"\b{unit}\s+(?:\w+\s+)?{part}\b"
        for name, unit in _UNITS.items()
        for other, part in _PARTS.items()
        if other != name
    ),
    _I,
)


def makers_of(product: Product) -> set[str]:
    """The makers a product's brand and name point to (empty: unknown)."""
    words = re.findall(r"[a-z0-9]+", f"{product.brand} {product.name}".lower())
    return {_MAKER_OF[w] for w in words if w in _MAKER_OF} | (
        {product.brand.lower()} if product.brand.lower() in MAKERS else set()
    )


class CoherenceParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checks: list[Literal["aspect", "verdict", "stars", "product", "units"]] = Field(
        default_factory=lambda: ["aspect", "verdict", "stars", "product", "units"],
        description="which checks run",
    )
    clear_tone: float = Field(
        0.35, gt=0.0, le=1.0, description="aspect: a sentence's |tone| at least this is clear"
    )
    max_star_gap: int = Field(2, ge=1, le=4, description="stars: named stars this far off fail")


FEEDBACK = {
    "aspect": "Keep to one opinion of each feature (or say what changed and when).",
    "verdict": "Give one overall verdict: the review both recommends and warns against it.",
    "stars": "The text names a different star rating than the review's.",
    "product": "Talk about the phone the review is for, not another maker's.",
    "units": "Check the numbers: that unit does not measure that part of a phone.",
}


@register_rule("coherence.v1")
class CoherenceRule(CriticRule):
    """Fail on a self-contradiction (aspect, verdict), a star count at odds with the rating,
    or another maker's phone called "this", or a part measured in another's unit."""

    Params = CoherenceParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: CoherenceParams = self.params  # type: ignore[assignment]
        found: dict[str, Any] = {}
        if "aspect" in p.checks and (clash := self._aspect(draft, context, p.clear_tone)):
            found["aspect"] = clash
        if "verdict" in p.checks and (pair := self._verdict(draft)):
            found["verdict"] = pair
        if "stars" in p.checks and (named := self._stars(draft, context.plan.rating, p)):
            found["stars"] = named
        if "product" in p.checks and (other := self._product(draft, context.plan.product)):
            found["product"] = other
        if "units" in p.checks and (wrong := _WRONG_UNIT_RE.search(draft)):
            found["units"] = wrong.group()
        if not found:
            return self.ok()
        feedback = " ".join(FEEDBACK[k] for k in found)
        return self.fail(feedback, 0.0, contradictions=found)

    @staticmethod
    def _aspect(draft: str, context: CriticContext, clear: float) -> str | None:
        """An aspect clearly praised in one sentence and damned in a later one, no turn."""
        said: list[tuple[str, float, str]] = []
        for sentence in sentences(draft):
            aspects = context.lexicon.mentions(sentence)
            if not aspects:
                continue
            score = tone(sentence)
            if abs(score) >= clear:
                said += [(a, score, sentence) for a in aspects]
        for (a, s1, first), (b, s2, second) in combinations(said, 2):
            if a == b and s1 * s2 < 0 and not (_TURN_RE.search(second) or _TURN_RE.search(first)):
                return a
        return None

    @staticmethod
    def _verdict(draft: str) -> list[str] | None:
        if _TURN_RE.search(draft) and re.search(r"\b(?:but|however|though|although)\b", draft, _I):
            return None
        for good, bad in _VERDICT_RES:
            praise, warning = good.search(draft), bad.search(draft)
            # The praise pattern must not be the warning itself ("not recommend").
            if praise and warning and not (warning.start() <= praise.start() < warning.end()):
                return [praise.group(), warning.group()]
        return None

    @staticmethod
    def _stars(draft: str, rating: int, p: CoherenceParams) -> int | None:
        for match in _STARS_RE.finditer(draft):
            around = draft[max(0, match.start() - 40) : match.end() + 40]
            if _STARS_EXCUSE_RE.search(around):
                continue
            word = match.group(1).lower()
            named = _NUMBERS[word] if word in _NUMBERS else int(word)
            if abs(named - rating) >= p.max_star_gap:
                return named
        return None

    @staticmethod
    def _product(draft: str, product: Product) -> str | None:
        own = makers_of(product)
        if not own:
            return None
        for match in _THIS_MODEL_RE.finditer(draft):
            if _MAKER_OF[match.group(1).lower()] not in own:
                return match.group(0)
        return None
