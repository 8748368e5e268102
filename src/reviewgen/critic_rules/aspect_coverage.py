"""``aspect_coverage.v1``: the draft must talk about the aspects the plan asked for.

Aspects are sampled from the persona's priorities to give the dataset a controlled topic mix;
a draft that ignores them drifts towards generic praise. Coverage is judged with the config's
aspect lexicon (plus ``extra_terms``), the same matcher the evaluator uses for topic shares.
"""

from __future__ import annotations

import math
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.aspects import AspectLexicon


class AspectCoverageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_share: float = Field(1.0, ge=0.0, le=1.0, description="share of target aspects needed")
    extra_terms: dict[str, list[str]] = Field(
        default_factory=dict, description="aspect -> more lexicon terms"
    )


def _spoken(aspect: str) -> str:
    return aspect.replace("_", " ")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@lru_cache(maxsize=256)
def _extra_lexicon(aspect_terms: tuple[tuple[str, ...], ...]) -> AspectLexicon:
    """Each aspect's spoken name and extra terms (plans repeat aspect sets: compile once)."""
    return AspectLexicon({a: [_spoken(a), *terms] for a, *terms in aspect_terms})


@register_rule("aspect_coverage.v1")
class AspectCoverageRule(CriticRule):
    """Pass when at least ``ceil(min_share * n)`` of the plan's ``n`` aspects are mentioned.

    The aspect's own name ("battery", "customer service") always counts as a term, so an
    aspect missing from the lexicon can still be covered.
    """

    reaims = "aspects"

    Params = AspectCoverageParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: AspectCoverageParams = self.params  # type: ignore[assignment]
        targets = list(dict.fromkeys(context.plan.aspects))
        if not targets:
            return self.ok(1.0, covered_aspects=[], missing_aspects=[])
        extra = _extra_lexicon(tuple((a, *p.extra_terms.get(a, [])) for a in targets))
        covered = [a for a in targets if context.lexicon.covers(draft, a) or extra.covers(draft, a)]
        missing = [a for a in targets if a not in covered]
        score = len(covered) / len(targets)
        needed = math.ceil(p.min_share * len(targets) - 1e-9)  # 0.7 * 10 is 7.000000000000001
        if len(covered) >= needed:
            return self.ok(score, covered_aspects=covered, missing_aspects=missing)
        return self.fail(
            f"Also talk about the {_join([_spoken(a) for a in missing])}.",
            score,
            covered_aspects=covered,
            missing_aspects=missing,
        )
