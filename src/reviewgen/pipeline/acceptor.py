"""The one acceptance point: quotas, duplicate checks and the ledger, as one atomic step.

Drafting (persona, writer, critic, noise, embedding) can run anywhere; deciding whether a
finished review joins the dataset must happen in one place, or two workers could accept two
near-copies, or overfill a quota, between each other's check and insert. ``Acceptance.offer``
awaits nothing, so the local executor calls it in-process on its event loop, and the Ray
executor runs it inside one named actor that handles one call at a time.

Each offer carries its record id, ``r<slot>-<seed>-<candidate>``, which is also its
idempotency key: a retried call returns the first answer instead of accepting twice, and a
slot holds at most one review, so the count stops at exactly the number of slots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import TypeAdapter

from reviewgen.agents.quotas import Quotas
from reviewgen.core.schemas import RejectRecord, ReviewPlan, ReviewRecord, Verdict
from reviewgen.pipeline.ledger import JsonlWriter
from reviewgen.vectorstore import DuplicateStore

QuotaState = tuple[list[int] | None, dict[str, int] | None, int, int]


@dataclass(frozen=True)
class Offer:
    """A draft that passed the critic, after style noise, ready to be checked."""

    plan: ReviewPlan
    text: str
    vector: np.ndarray
    noise: dict[str, Any]
    verdicts: list[Verdict]
    exemplar_ids: list[str]
    candidate: int
    attempt: int
    # Failures the caller mends itself (a revision, a re-aim): reported, not logged as rejects.
    hold: frozenset[str] = frozenset()

    @property
    def record_id(self) -> str:
        return f"r{self.plan.index:06d}-{self.plan.seed % 10**8:08d}-{self.candidate}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pydantic's JSON for the plan and verdicts: pickling the models field by field took
        twice as long, and every offer to a remote acceptor is pickled."""
        plan, verdicts = self.plan.model_dump_json(), _VERDICTS.dump_json(self.verdicts)
        rest = (self.exemplar_ids, self.candidate, self.attempt, self.hold)
        return _offer, (plan, self.text, self.vector, self.noise, verdicts, *rest)


_VERDICTS = TypeAdapter(list[Verdict])


def _offer(plan: str, text: str, vector: Any, noise: Any, verdicts: bytes, *rest: Any) -> Offer:
    plan_ = ReviewPlan.model_validate_json(plan)
    return Offer(plan_, text, vector, noise, _VERDICTS.validate_json(verdicts), *rest)


@dataclass(frozen=True)
class Outcome:
    accepted: str | None = None  # the slot's record id: this offer's, or an earlier one's
    record: ReviewRecord | None = None  # the record, when this offer wrote it
    reason: str | None = None  # why it failed
    held: bool = False  # the failure is in ``Offer.hold``: nothing was logged
    duplicate_of: str | None = None
    similarity: float | None = None
    stop: str | None = None  # a budget is spent (set by the Ray acceptor)
    quotas: QuotaState | None = None  # the quotas after this call (for a remote worker's copy)


class Tally(Protocol):
    """Where rejections are counted (the run's ``RunStats``)."""

    rejected: Counter[str]
    quota_relief: int


class AcceptancePoint(Protocol):
    """What the per-slot loop offers its drafts to: in-process or a remote actor."""

    remote: bool  # calls leave the process: the loop gives its turn up while they run

    async def offer(self, offer: Offer) -> Outcome: ...

    async def reject(self, rejection: RejectRecord) -> None: ...


@dataclass
class Acceptance:
    store: DuplicateStore
    source_store: DuplicateStore | None
    quotas: Quotas | None
    model_labels: dict[str, str]
    accepted: JsonlWriter
    rejects: JsonlWriter
    tally: Tally
    filled: dict[int, str] = field(default_factory=dict)  # slot -> its record id

    def offer(self, offer: Offer) -> Outcome:
        """Quota, reference and duplicate checks, then the ledger; nothing here awaits."""
        record_id = offer.record_id
        plan = offer.plan
        earlier = self.filled.get(plan.index)
        if earlier is not None:  # a retried call, or a slot handed on after its worker died
            return Outcome(accepted=earlier)
        failure: tuple[str, Any] | None = None
        full = None if self.quotas is None else self.quotas.full(offer.text, plan.aspects)
        if full is not None:
            failure = full, None
        elif self.source_store is not None:
            source = self.source_store.nearest(vector=offer.vector)
            if self.source_store.is_duplicate(source):
                failure = "copies_reference", source
        nearest = None
        if failure is None:
            added, nearest = self.store.check_and_add(record_id, vector=offer.vector)
            if not added:
                failure = "near_duplicate", nearest
        if failure is not None:
            reason, match = failure
            duplicate_of = None if match is None else match.id
            similarity = None if match is None else round(match.similarity, 4)
            held = reason in offer.hold
            if not held:
                self.reject(
                    RejectRecord(
                        slot=plan.index,
                        attempt=offer.attempt,
                        text=offer.text,
                        reasons=[reason],
                        critic=offer.verdicts,
                        duplicate_of=duplicate_of,
                        similarity=similarity,
                    )
                )
            return Outcome(
                reason=reason, held=held, duplicate_of=duplicate_of, similarity=similarity
            )
        if self.quotas is not None:
            self.quotas.claim(offer.text, plan.aspects)
        record = ReviewRecord(
            id=record_id,
            text=offer.text,
            rating=plan.rating,
            product=plan.product,
            persona=plan.persona,
            aspects=plan.aspects,
            length_target=plan.length_target,
            planned_length=plan.planned_length,
            planned_aspects=plan.planned_aspects,
            models=self.model_labels,
            seed=plan.seed,
            slot=plan.index,
            attempts=offer.attempt,
            critic=offer.verdicts,
            noise=offer.noise,
            exemplar_ids=offer.exemplar_ids,
            nearest_similarity=None if nearest is None else round(nearest.similarity, 4),
        )
        self.accepted.append(record)  # written and flushed before it counts as accepted
        self.filled[plan.index] = record_id
        return Outcome(accepted=record_id, record=record)

    def reject(self, rejection: RejectRecord) -> None:
        self.tally.rejected.update(rejection.reasons)
        if self.quotas is not None:
            self.quotas.missed()
            self.tally.quota_relief = self.quotas.relief
        self.rejects.append(rejection)

    def quota_state(self) -> QuotaState | None:
        return None if self.quotas is None else quota_state(self.quotas)


class InProcess:
    """The local executor's acceptance point: a plain call on the event loop, so no other
    task runs between a check and its insert."""

    remote = False

    def __init__(self, acceptance: Acceptance) -> None:
        self.acceptance = acceptance

    async def offer(self, offer: Offer) -> Outcome:
        return self.acceptance.offer(offer)

    async def reject(self, rejection: RejectRecord) -> None:
        self.acceptance.reject(rejection)


def quota_state(quotas: Quotas) -> QuotaState:
    """The quotas' counts, small enough to send with every answer to a remote worker."""
    length = None if quotas.length is None else list(quotas.length.filled)
    aspects = None if quotas.aspects is None else dict(quotas.aspects.filled)
    return length, aspects, quotas.relief, quotas.misses


def apply_quota_state(quotas: Quotas, state: QuotaState) -> None:
    """Bring a worker's copy of the quotas up to the acceptance point's counts, so its plans
    and re-aims steer to what is still open (the acceptance point still decides)."""
    length, aspects, quotas.relief, quotas.misses = state
    if quotas.length is not None and length is not None:
        quotas.length.filled = length
    if quotas.aspects is not None and aspects is not None:
        quotas.aspects.filled = aspects
