"""Dataset-level quotas for lengths and topics, and re-aiming drafts at what they did write.

Small base models follow a plan loosely: asked for 8 words about durability, the embedded model
writes 30 words about the delivery. Judged against its own plan, such a draft is thrown away,
yet a realistic dataset needs reviews like it; what must hold is the *mix*: lengths like the
reference's, topics in the configured shares. So lengths and aspects get quotas over the run.
A draft that misses only its length or aspect targets is re-aimed at its own length and the
aspects it covers when their quotas have room (the record keeps the first plan in
``planned_length`` / ``planned_aspects``), and plans are steered to what is still open.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reviewgen.core.allocation import largest_remainder
from reviewgen.core.schemas import CriticReport, ReviewPlan
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.words import word_count


class LengthQuota:
    """Bins at the reference's length quantiles, each with its share of the run's count."""

    def __init__(
        self, lengths: Sequence[int], count: int, *, bins: int = 10, slack: float = 0.1
    ) -> None:
        if not lengths:
            raise ValueError("no lengths to build quotas from")
        ordered = sorted(lengths)
        # Upper edges at the quantiles; repeated values (many 3-word reviews) merge bins.
        cuts = {ordered[min(len(ordered) - 1, len(ordered) * i // bins)] for i in range(1, bins)}
        self.edges = sorted(cuts | {ordered[-1]})
        shares = Counter(self.bin_of(n) for n in ordered)
        planned = largest_remainder({i: shares[i] for i in range(len(self.edges))}, count)
        # A little slack per bin: without it the last slots wait for one exact length.
        self.capacity = [planned[i] + math.ceil(slack * planned[i]) for i in range(len(self.edges))]
        self.filled = [0] * len(self.edges)

    def bin_of(self, words: int) -> int:
        return min(bisect.bisect_left(self.edges, words), len(self.edges) - 1)

    def has_room(self, words: int, relief: int = 0) -> bool:
        index = self.bin_of(words)
        return self.filled[index] < self.capacity[index] + relief

    def claim(self, words: int) -> None:
        self.filled[self.bin_of(words)] += 1


class AspectQuota:
    """Each aspect may be a target of at most its planned share of the run (plus slack)."""

    def __init__(self, shares: Mapping[str, float], count: int, *, slack: float = 0.1) -> None:
        self.capacity = {a: math.ceil(s * count * (1 + slack)) + 1 for a, s in shares.items()}
        self.filled = dict.fromkeys(shares, 0)

    def is_open(self, aspect: str, relief: int = 0) -> bool:
        return aspect in self.capacity and self.filled[aspect] < self.capacity[aspect] + relief

    def has_room(self, aspects: Iterable[str], relief: int = 0) -> bool:
        return all(self.is_open(a, relief) for a in aspects)

    def claim(self, aspects: Iterable[str]) -> None:
        for aspect in aspects:
            self.filled[aspect] += 1


@dataclass
class Quotas:
    length: LengthQuota | None
    aspects: AspectQuota | None
    lexicon: AspectLexicon
    # Near the end of a run only the lengths a model rarely writes (8 words, 150 words) may be
    # open, and waiting for them can take longer than the rest of the run did: after this many
    # rejected candidates in a row, every quota gets one more place.
    relief_after: int
    relief: int = 0  # extra places every quota got after relief_after rejections in a row
    misses: int = 0

    def full(self, text: str, aspects: list[str]) -> str | None:
        """None when a review fits its quotas, else the reject reason."""
        if self.length is not None and not self.length.has_room(word_count(text), self.relief):
            return "length_quota_full"
        if self.aspects is not None and not self.aspects.has_room(aspects, self.relief):
            return "aspect_quota_full"
        return None

    def claim(self, text: str, aspects: list[str]) -> None:
        """Count an accepted review (also those already in the ledger on resume)."""
        self.misses = 0
        if self.length is not None:
            self.length.claim(word_count(text))
        if self.aspects is not None:
            self.aspects.claim(aspects)

    def missed(self) -> None:
        """A candidate was rejected; after relief_after in a row, every quota grows by one."""
        self.misses += 1
        if self.misses >= self.relief_after:
            self.relief += 1
            self.misses = 0

    def retarget(self, plan: ReviewPlan, text: str, report: CriticReport) -> ReviewPlan | None:
        """The plan re-aimed at the draft's own length and covered aspects, when those were
        its only failures and their quotas have room; else None."""
        failed = [v for v in report.verdicts if not v.passed]
        targets = {v.reaims for v in failed}
        if not failed or None in targets:
            return None
        update: dict[str, object] = {}
        if "length" in targets:
            words = word_count(text)
            if self.length is None or not self.length.has_room(words, self.relief):
                return None
            update["length_target"] = words
            update["planned_length"] = plan.planned_length or plan.length_target
        if "aspects" in targets:
            aspects = self._open_mentions(plan, text)
            if aspects is None:
                return None
            update |= aspects
        return plan.model_copy(update=update)

    def reaim_aspects(self, plan: ReviewPlan, text: str) -> ReviewPlan | None:
        """For a finished review whose target aspects filled up meanwhile (other workers
        accepted reviews about them): the aspects it covers that still have room, if any."""
        aspects = self._open_mentions(plan, text)
        return None if aspects is None else plan.model_copy(update=aspects)

    def _open_mentions(self, plan: ReviewPlan, text: str) -> dict[str, object] | None:
        if self.aspects is None:
            return None
        covered = [a for a in self.lexicon.mentions(text) if self.aspects.is_open(a, self.relief)]
        if not covered:
            return None
        kept = [a for a in plan.aspects if a in covered]
        others = sorted(
            (a for a in covered if a not in kept),
            key=lambda a: (-plan.persona.priorities.get(a, 0.0), a),
        )
        return {
            "aspects": (kept + others)[: max(1, len(plan.aspects))],
            "planned_aspects": plan.planned_aspects or plan.aspects,
        }
