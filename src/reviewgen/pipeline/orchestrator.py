"""The per-review loop and the accept-until-N run loop.

Per slot: plan (persona agent) -> draft (writer) -> critic -> revise until it passes or
``max_revisions`` -> style noise -> duplicate checks (reference, then accepted pool, atomic) ->
ledger. A slot keeps its plan across failed candidates, so the delivered rating mix is the
planned one; a slot that exhausts ``max_candidates_per_slot`` is re-planned with the same rating.

Plain asyncio rather than a LangGraph ``StateGraph``: a 5-node LangGraph loop measured 7.6 ms of
framework time per review here, above the whole 5 ms overhead budget (docs/NOTES.md). The
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
from reviewgen.core.retry import RetryPolicy, with_retries
from reviewgen.core.schemas import (
    CriticReport,
    RejectRecord,
    ReviewPlan,
    ReviewRecord,
    Usage,
    Verdict,
)
from reviewgen.core.seeds import item_rng
from reviewgen.critic_rules.base import CriticContext
from reviewgen.models.usage import UsageTracker
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


class Orchestrator:
    def __init__(
        self,
        stages: Stages,
        *,
        run_seed: int,
        accepted: JsonlWriter,
        rejects: JsonlWriter,
        budget: Budget,
        on_progress: Callable[[RunStats], None] | None = None,
    ) -> None:
        self.s = stages
        self.run_seed = run_seed
        self.accepted = accepted
        self.rejects = rejects
        self.budget = budget
        self.stats = RunStats()
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

    def _reject(
        self,
        plan: ReviewPlan,
        attempt: int,
        text: str,
        reasons: list[str],
        report: CriticReport | None = None,
        duplicate_of: str | None = None,
        similarity: float | None = None,
    ) -> None:
        self.stats.rejected.update(reasons)
        if self.s.quotas is not None:
            self.s.quotas.missed()
            self.stats.quota_relief = self.s.quotas.relief
        self.rejects.append(
            RejectRecord(
                slot=plan.index,
                attempt=attempt,
                text=text,
                reasons=reasons,
                critic=report.verdicts if report else [],
                duplicate_of=duplicate_of,
                similarity=similarity,
            )
        )

    async def _reaim_aspects(
        self, plan: ReviewPlan, draft: Draft, text: str, report: CriticReport
    ) -> tuple[ReviewPlan, CriticReport, str | None]:
        """A passing review whose aspects filled up while it was written keeps its place if
        other aspects it covers have room (the critic checks it against them)."""
        assert self.s.quotas is not None
        moved = self.s.quotas.reaim_aspects(plan, text)
        if moved is None:
            return plan, report, "aspect_quota_full"
        moved_report = await self._critique(moved, draft)
        if not moved_report.passed:
            return plan, report, "aspect_quota_full"
        return moved, moved_report, self.s.quotas.full(text, moved.aspects)

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
    ) -> tuple[ReviewRecord | None, int]:
        """Draft, critique and revise one candidate; returns (record or None, drafts used).

        In chat style, a draft that passes the critic but fails a check at acceptance (its
        length bin filled, too close to a source or an accepted review) is sent back with
        feedback while revisions remain. In completion style it is rejected: the model cannot
        read feedback, and a new sample from the same prompt was measured as no faster than a
        new candidate (docs/NOTES.md, session 4).
        """
        rng = item_rng(plan.seed, "candidate", candidate)
        drafts = 1
        try:
            draft = await self._write(plan, rng)
            while True:
                plan, report = await self._review(plan, draft)
                last = drafts > self.s.max_revisions
                if report.passed:
                    record, revision = await self._accept(
                        plan, draft, report, rng, candidate, attempts_so_far + drafts, last
                    )
                    if revision is None:
                        return record, drafts
                    report = revision
                elif last:
                    self._reject(
                        plan,
                        attempts_so_far + drafts,
                        draft.text,
                        [f"critic:{rule}" for rule in report.failed_rules],
                        report,
                    )
                    return None, drafts
                drafts += 1
                draft = await self._write(plan, rng, previous=draft, report=report)
        except PromptTooLong as exc:
            # The writer fits completion prompts to the context, not chat prompts (or a
            # revision's). This candidate's examples did not fit; the next one draws others.
            too_long = Verdict(rule="prompt_too_long", passed=False, score=0.0, feedback=str(exc))
            self._reject(
                plan, attempts_so_far + drafts, "", ["prompt_too_long"], CriticReport([too_long])
            )
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
    ) -> tuple[ReviewRecord | None, CriticReport | None]:
        """Noise, quota and duplicate checks, then the ledger: (record, None) when accepted,
        (None, a report asking for a revision) when a revision can mend the failed check,
        else (None, None): rejected."""
        text, noise = (
            (draft.text, {}) if self.s.noise is None else self.s.noise(draft.text, plan, rng)
        )
        vector = self.s.store.embed([text])[0]
        full = None if self.s.quotas is None else self.s.quotas.full(text, plan.aspects)
        if full == "aspect_quota_full":
            plan, report, full = await self._reaim_aspects(plan, draft, text, report)
        failure: tuple[str, Any] | None = None
        if full is not None:
            failure = full, None
        elif self.s.source_store is not None:
            source = self.s.source_store.nearest(vector=vector)
            if self.s.source_store.is_duplicate(source):
                failure = "copies_reference", source
        record_id = f"r{plan.index:06d}-{plan.seed % 10**8:08d}-{candidate}"
        if failure is None:
            added, nearest = self.s.store.check_and_add(record_id, vector=vector)
            if not added:
                failure = "near_duplicate", nearest
        if failure is not None:
            reason, match = failure
            if not last and reason in ACCEPTANCE_FEEDBACK and self.s.writer.mode == "chat":
                self.stats.revised[reason] += 1
                return None, self._revision_report(report, reason, plan)
            self._reject(
                plan,
                attempt,
                text,
                [reason],
                report,
                None if match is None else match.id,
                None if match is None else round(match.similarity, 4),
            )
            return None, None
        if self.s.quotas is not None:
            self.s.quotas.claim(text, plan.aspects)  # no await since the check: atomic
        record = ReviewRecord(
            id=record_id,
            text=text,
            rating=plan.rating,
            product=plan.product,
            persona=plan.persona,
            aspects=plan.aspects,
            length_target=plan.length_target,
            planned_length=plan.planned_length,
            planned_aspects=plan.planned_aspects,
            models=self.s.model_labels,
            seed=plan.seed,
            slot=plan.index,
            attempts=attempt,
            critic=report.verdicts,
            noise=noise,
            exemplar_ids=[e.id for e in draft.exemplars],
            nearest_similarity=None if nearest is None else round(nearest.similarity, 4),
        )
        self.accepted.append(record)  # written and flushed before it counts as accepted
        return record, None

    @staticmethod
    def _revision_report(report: CriticReport, reason: str, plan: ReviewPlan) -> CriticReport:
        feedback = ACCEPTANCE_FEEDBACK[reason].format(length=plan.length_target)
        failed = Verdict(rule=reason, passed=False, score=0.0, feedback=feedback)
        return CriticReport([*report.verdicts, failed])

    # -- one slot ------------------------------------------------------------------------

    async def fill_slot(self, slot: int, rating: int) -> ReviewRecord:
        generation = 0
        while True:
            plan = self.s.agent.plan(slot, rating, self.run_seed, generation)
            if self.s.enricher is not None:
                plan = await self._enrich(plan)
            drafts = 0
            for candidate in range(self.s.max_candidates):
                self.stats.candidates += 1
                record, used = await self._candidate(plan, candidate, drafts)
                drafts += used
                if record is not None:
                    self.stats.accepted += 1
                self.on_progress(self.stats)
                if record is not None:
                    return record
            generation += 1  # give the slot a fresh plan with the same star rating

    # -- the run -------------------------------------------------------------------------

    async def run(self, slots: list[tuple[int, int]], concurrency: int) -> str:
        """Fill ``slots`` [(slot, rating)]; returns why it stopped: complete / budget: ..."""
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
                    except BudgetExhausted as exc:
                        stop_reason = f"budget: {exc}"
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
