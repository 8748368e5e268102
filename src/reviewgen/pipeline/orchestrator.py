"""The per-review loop and the accept-until-N run loop.

Per slot: plan (persona agent) -> draft (writer) -> critic -> revise until it passes or
``max_revisions`` -> style noise -> duplicate checks (reference, then accepted pool, atomic) ->
ledger. A slot keeps its plan across failed candidates, so the delivered rating mix is the
planned one; a slot that exhausts ``max_candidates_per_slot`` is re-planned with the same rating.

Plain asyncio rather than a LangGraph ``StateGraph``: the loop is about 100 lines, and the
pipeline's own work has a budget of 5 ms per review (``benchmarks/bench_overhead.py``). The
writer and judge are LangChain Runnables; ``reviewgen graph`` draws this loop as Mermaid.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewgen.agents.persona import PersonaAgent
from reviewgen.agents.quotas import Quotas
from reviewgen.chains.backstory import PersonaEnricher
from reviewgen.chains.writer import Draft, Writer
from reviewgen.core.errors import PromptTooLong
from reviewgen.core.ratelimit import RateLimiter, limited
from reviewgen.core.retry import CircuitOpen, RetriesExhausted, RetryPolicy, with_retries
from reviewgen.core.schemas import CriticReport, RejectRecord, ReviewPlan, Usage, Verdict
from reviewgen.core.seeds import item_rng
from reviewgen.critic_rules.base import CriticContext
from reviewgen.models.usage import UsageTracker
from reviewgen.pipeline.acceptor import Acceptance, AcceptancePoint, Offer, Outcome, Tally
from reviewgen.pipeline.critic import Critic
from reviewgen.pipeline.ledger import JsonlWriter
from reviewgen.pipeline.turn import Turn
from reviewgen.vectorstore import DuplicateStore

# Acceptance checks a chat writer's revision can pass, and what it is told. (A full aspect
# quota cannot: the plan's own aspects are full.)
ACCEPTANCE_FEEDBACK = {
    "length_quota_full": "Make it about {length} words.",
    "copies_reference": "This is too close to an existing review: write your own words.",
    "near_duplicate": "This is too close to a review already written: say it differently.",
}
DEFAULT_RETRY = RetryPolicy()  # a role built without a policy of its own


class BudgetExhausted(Exception):
    """A token, cost or attempt budget is spent; the run stops cleanly."""


@dataclass
class Budget:
    max_attempts: int
    max_tokens: int | None = None
    max_cost: float | None = None
    cost_of: Callable[[], float] = lambda: 0.0
    tokens_of: Callable[[], int] = lambda: 0
    attempts: int = 0

    def take_attempt(self) -> None:
        if self.attempts >= self.max_attempts:
            raise BudgetExhausted(f"max_attempts ({self.max_attempts}) reached")
        if self.max_tokens is not None and self.tokens_of() >= self.max_tokens:
            raise BudgetExhausted(f"max_tokens ({self.max_tokens}) reached")
        if self.max_cost is not None and self.cost_of() >= self.max_cost:
            raise BudgetExhausted(f"max_cost ({self.max_cost}) reached")
        self.attempts += 1


@dataclass
class RunStats:
    accepted: int = 0
    resumed: int = 0  # accepted before this process started (resume)
    drafts: int = 0
    candidates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    revised: Counter[str] = field(default_factory=Counter)  # drafts revised at acceptance
    quota_relief: int = 0  # extra places each quota got to finish the run (see agents.quotas)
    biased_tokens: int = 0  # tokens the writer's vocabulary calibration last steered away from
    backstories_missing: int = 0  # persona.enrich: no valid backstory within the re-asks
    model_seconds: float = 0.0  # wall time with a model call in flight (overlaps count once)
    started: float = field(default_factory=time.perf_counter)
    _in_flight: int = 0
    _busy_since: float = 0.0

    finished: float | None = None  # set when the loop ends, so results read later hold still

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    @contextlib.contextmanager
    def model_busy(self) -> Iterator[None]:
        """Time model calls as a union: at concurrency K, K overlapping calls are one span, so
        ``1 - model_seconds / elapsed`` stays the share of time the model waited on us."""
        if self._in_flight == 0:
            self._busy_since = time.perf_counter()
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self.model_seconds += time.perf_counter() - self._busy_since

    @property
    def reviews_per_minute(self) -> float:
        """Accepted by this process only, so a resumed run does not look faster."""
        elapsed = self.elapsed
        return 60.0 * (self.accepted - self.resumed) / elapsed if elapsed > 0 else 0.0


@dataclass
class Stages:
    """Everything the loop needs, built once from the config (see ``pipeline.build``)."""

    agent: PersonaAgent
    writer: Writer
    critic: Critic
    store: DuplicateStore
    source_store: DuplicateStore | None
    context_base: dict[str, Any]
    max_revisions: int
    max_candidates: int
    noise: Callable[[str, ReviewPlan, random.Random], tuple[str, dict[str, Any]]] | None
    model_labels: dict[str, str]
    trackers: dict[str, UsageTracker]
    retries: dict[str, RetryPolicy] = field(default_factory=dict)  # role -> its model's policy
    limiters: dict[str, RateLimiter] = field(default_factory=dict)  # role -> its model's limits
    quotas: Quotas | None = None
    enricher: PersonaEnricher | None = None

    def acceptance(
        self,
        accepted: JsonlWriter,
        rejects: JsonlWriter,
        tally: Tally,
        filled: dict[int, str] | None = None,
    ) -> Acceptance:
        """The in-process acceptance point over these stages' store, reference and quotas."""
        return Acceptance(
            self.store,
            self.source_store,
            self.quotas,
            self.model_labels,
            accepted,
            rejects,
            tally,
            filled={} if filled is None else filled,
        )


class Orchestrator:
    def __init__(
        self,
        stages: Stages,
        *,
        run_seed: int,
        acceptance: AcceptancePoint,
        budget: Budget,
        stats: RunStats | None = None,
        on_progress: Callable[[RunStats], None] | None = None,
    ) -> None:
        self.s = stages
        self.run_seed = run_seed
        self.acceptance = acceptance
        self.budget = budget
        self.stats = stats or RunStats()
        self.on_progress = on_progress or (lambda stats: None)
        self._turn = Turn()

    # -- one candidate -------------------------------------------------------------------

    async def _write(
        self,
        plan: ReviewPlan,
        rng: random.Random,
        previous: Draft | None = None,
        report: CriticReport | None = None,
    ) -> Draft:
        self.budget.take_attempt()
        self.stats.drafts += 1

        def call() -> Awaitable[Draft]:
            return limited(
                self.s.limiters.get("writer"),
                lambda: self.s.writer.draft(plan, rng, previous=previous, report=report),
            )

        try:
            policy = self.s.retries.get("writer", DEFAULT_RETRY)
            async with self._turn.waiting():
                with self.stats.model_busy():
                    return await with_retries(call, policy, rng, self._count_retry)
        finally:
            if self.s.writer.vocabulary is not None:
                self.stats.biased_tokens = len(self.s.writer.vocabulary.bias)

    async def _enrich(self, plan: ReviewPlan) -> ReviewPlan:
        """Add a backstory; a failed call or answer leaves the persona as sampled."""
        rng = item_rng(plan.seed, "enrich")
        enricher = self.s.enricher
        assert enricher is not None
        try:
            async with self._turn.waiting():
                enriched, result = await with_retries(
                    lambda: limited(self.s.limiters.get("persona"), lambda: enricher.enrich(plan)),
                    self.s.retries.get("persona", DEFAULT_RETRY),
                    rng,
                    self._count_retry,
                )
        except Exception:  # the review can still be written without one
            self.stats.backstories_missing += 1
            return plan
        if result.value is None:
            self.stats.backstories_missing += 1
        return enriched

    def _count_retry(self, exc: BaseException) -> None:
        self.stats.retries += 1

    def _context(self, plan: ReviewPlan, draft: Draft) -> CriticContext:
        return CriticContext(
            plan=plan,
            exemplars=tuple(e.text for e in draft.exemplars),
            on_retry=self._count_retry,  # the judge's retries count with the writer's
            **self.s.context_base,
        )

    async def _reject(
        self, plan: ReviewPlan, attempt: int, text: str, reasons: list[str], report: CriticReport
    ) -> None:
        rejection = RejectRecord(
            slot=plan.index, attempt=attempt, text=text, reasons=reasons, critic=report.verdicts
        )
        if not self.acceptance.remote:
            await self.acceptance.reject(rejection)
            return
        async with self._turn.waiting():
            await self.acceptance.reject(rejection)

    async def _offer(self, offer: Offer) -> Outcome:
        """In-process, the check runs inside this worker's turn (atomic on the loop); a remote
        acceptance point is awaited outside it, like a model call."""
        if not self.acceptance.remote:
            return await self.acceptance.offer(offer)
        async with self._turn.waiting():
            return await self.acceptance.offer(offer)

    async def _reaim_aspects(
        self, plan: ReviewPlan, draft: Draft, text: str
    ) -> tuple[ReviewPlan, CriticReport] | None:
        """A passing review whose aspects filled up while it was written keeps its place if
        other aspects it covers have room (the critic checks it against them)."""
        if self.s.quotas is None:
            return None
        moved = self.s.quotas.reaim_aspects(plan, text)
        if moved is None:
            return None
        moved_report = await self._critique(moved, draft)
        return (moved, moved_report) if moved_report.passed else None

    async def _critique(self, plan: ReviewPlan, draft: Draft) -> CriticReport:
        """A critic with a model rule (the judge) waits on it outside the turn."""
        if not self.s.critic.expensive:
            return await self.s.critic.review(draft.text, self._context(plan, draft))
        async with self._turn.waiting():
            with self.stats.model_busy():
                return await self.s.critic.review(draft.text, self._context(plan, draft))

    async def _review(self, plan: ReviewPlan, draft: Draft) -> tuple[ReviewPlan, CriticReport]:
        """The critic's report, after re-aiming the plan at the draft where quotas allow."""
        report = await self._critique(plan, draft)
        quotas = self.s.quotas
        retarget = None if quotas is None else quotas.retarget(plan, draft.text, report)
        if retarget is not None:
            plan = retarget
            report = await self._critique(plan, draft)
        return plan, report

    async def _candidate(
        self, plan: ReviewPlan, candidate: int, attempts_so_far: int
    ) -> tuple[str | None, int]:
        """Draft, critique and revise one candidate; returns (accepted id or None, drafts used).

        In chat style, a draft that passes the critic but fails a check at acceptance (its
        length bin filled, too close to a source or an accepted review) is sent back with
        feedback while revisions remain. In completion style it is rejected: the model cannot
        read feedback, and a new sample from the same prompt was measured as no faster than a
        new candidate (measured 2026-11-29: docs/HISTORY.md).
        """
        rng = item_rng(plan.seed, "candidate", candidate)
        drafts = 1
        try:
            draft = await self._write(plan, rng)
            while True:
                plan, report = await self._review(plan, draft)
                last = drafts > self.s.max_revisions
                if report.passed:
                    accepted, revision = await self._accept(
                        plan, draft, report, rng, candidate, attempts_so_far + drafts, last
                    )
                    if revision is None:
                        return accepted, drafts
                    report = revision
                elif last:
                    await self._reject(
                        plan,
                        attempts_so_far + drafts,
                        draft.text,
                        [f"critic:{rule}" for rule in report.failed_rules],
                        report,
                    )
                    return None, drafts
                drafts += 1
                draft = await self._write(plan, rng, previous=draft, report=report)
        except (PromptTooLong, RetriesExhausted) as exc:
            # A prompt the model's context cannot take (the writer's or the server's word), or
            # a call still failing after its retries: this candidate is rejected and the next
            # one draws other examples; the model's circuit breaker ends a run that keeps
            # failing.
            reason = "prompt_too_long" if isinstance(exc, PromptTooLong) else "provider_error"
            failed = Verdict(rule=reason, passed=False, score=0.0, feedback=str(exc))
            await self._reject(plan, attempts_so_far + drafts, "", [reason], CriticReport([failed]))
            return None, drafts

    async def _accept(
        self,
        plan: ReviewPlan,
        draft: Draft,
        report: CriticReport,
        rng: random.Random,
        candidate: int,
        attempt: int,
        last: bool,
    ) -> tuple[str | None, CriticReport | None]:
        """Noise and embedding here, then the acceptance point's quota, duplicate and ledger
        step: (record id, None) when accepted, (None, a report asking for a revision) when a
        revision can mend the failed check, else (None, None): rejected."""
        text, noise = (
            (draft.text, {}) if self.s.noise is None else self.s.noise(draft.text, plan, rng)
        )
        vector = self.s.store.embed([text])[0]
        revisable = not last and self.s.writer.mode == "chat"
        mendable = frozenset(ACCEPTANCE_FEEDBACK) if revisable else frozenset()

        def offer(plan: ReviewPlan, report: CriticReport, hold: frozenset[str]) -> Offer:
            exemplar_ids = [e.id for e in draft.exemplars]
            return Offer(
                plan, text, vector, noise, report.verdicts, exemplar_ids, candidate, attempt, hold
            )

        outcome = await self._offer(offer(plan, report, mendable | {"aspect_quota_full"}))
        if outcome.held and outcome.reason == "aspect_quota_full":
            moved = await self._reaim_aspects(plan, draft, text)
            if moved is None:
                await self._reject(plan, attempt, text, ["aspect_quota_full"], report)
                return None, None
            plan, report = moved
            outcome = await self._offer(offer(plan, report, mendable))
        if outcome.held and outcome.reason is not None:
            self.stats.revised[outcome.reason] += 1
            return None, self._revision_report(report, outcome.reason, plan)
        return outcome.accepted, None

    @staticmethod
    def _revision_report(report: CriticReport, reason: str, plan: ReviewPlan) -> CriticReport:
        feedback = ACCEPTANCE_FEEDBACK[reason].format(length=plan.length_target)
        failed = Verdict(rule=reason, passed=False, score=0.0, feedback=feedback)
        return CriticReport([*report.verdicts, failed])

    # -- one slot ------------------------------------------------------------------------

    async def fill_slot(self, slot: int, rating: int) -> str:
        """Write candidates for ``slot`` until one is accepted; returns the slot's record id."""
        generation = 0
        while True:
            plan = self.s.agent.plan(slot, rating, self.run_seed, generation)
            if self.s.enricher is not None:
                plan = await self._enrich(plan)
            drafts = 0
            for candidate in range(self.s.max_candidates):
                self.stats.candidates += 1
                accepted, used = await self._candidate(plan, candidate, drafts)
                drafts += used
                if accepted is not None:
                    self.stats.accepted += 1
                self.on_progress(self.stats)
                if accepted is not None:
                    return accepted
            generation += 1  # give the slot a fresh plan with the same star rating

    async def fill_slot_in_turn(self, slot: int, rating: int) -> str:
        """``fill_slot`` for a caller that hands slots in one by one (a Ray worker's call)."""
        async with self._turn.held():
            return await self.fill_slot(slot, rating)

    # -- the run -------------------------------------------------------------------------

    async def run(self, slots: list[tuple[int, int]], concurrency: int) -> str:
        """Fill ``slots`` [(slot, rating)]; returns why it stopped: complete / budget: ... /
        breaker: ... (a model kept refusing)."""
        queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        for item in slots:
            queue.put_nowait(item)
        stop_reason = "complete"

        async def worker() -> None:
            nonlocal stop_reason
            async with self._turn.held():
                while not queue.empty():
                    slot, rating = queue.get_nowait()
                    try:
                        await self.fill_slot(slot, rating)
                    except (BudgetExhausted, CircuitOpen) as exc:
                        kind = "budget" if isinstance(exc, BudgetExhausted) else "breaker"
                        stop_reason = f"{kind}: {exc}"
                        while not queue.empty():
                            queue.get_nowait()
                        return

        workers = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
        return stop_reason

    def usage(self) -> dict[str, Usage]:
        return {role: tracker.usage for role, tracker in self.s.trackers.items()}
