"""Sharded generation on Ray: many workers draft, one named actor accepts.

- The driver (this process) connects to a cluster (or starts a Ray on 127.0.0.1), allocates
  the slots' ratings once (exact quota, seeded: the same plans at any worker count), keeps
  every worker ``run.concurrency`` slots busy, and hands the slots of a worker that dies to
  the live ones.
- Each worker (``DraftWorker``, ``run.ray.cpus_per_worker`` CPUs) builds its own stages (one
  llama.cpp engine with that many threads, or a cloud client) and runs the local executor's
  per-slot loop, ``Orchestrator.fill_slot``: persona, writer, critic, noise, embedding.
- The acceptor (``AcceptorActor``, named, on the driver's node, one call at a time) runs
  ``Acceptance``, the code the local executor calls in-process, over the duplicate store,
  the quotas and the ledger. It is rebuilt from the ledger when it restarts; an offer's id is
  its idempotency key, and a slot takes one review, so the count stops at exactly N. It also
  keeps the budgets: workers report their drafts and tokens with every call.
- A limited model's requests and tokens go through one ``LimiterActor`` for the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reviewgen.agents.quotas import Quotas
from reviewgen.core.config import ROLES, Config
from reviewgen.core.errors import ConfigError, ReviewgenError
from reviewgen.core.ratelimit import RateLimiter
from reviewgen.core.schemas import RejectRecord, Usage
from reviewgen.pipeline.acceptor import Offer, Outcome, apply_quota_state
from reviewgen.pipeline.build import build
from reviewgen.pipeline.ledger import JsonlWriter, read_ledger
from reviewgen.pipeline.orchestrator import Budget, BudgetExhausted, Orchestrator, RunStats
from reviewgen.pipeline.reference import Reference
from reviewgen.vectorstore import SNAPSHOT_NAME
from reviewgen.vectorstore import restore as restore_store

RAY_EXTRA = "pip install 'reviewgen[ray]'"
REVIEWS, REJECTS = "reviews.jsonl", "rejects.jsonl"
READY_TIMEOUT = 300.0  # seconds for the actors to start (a worker loads its model)
PROBE_TIMEOUT = 120.0  # seconds a dead worker may take to come back before it is given up
MAX_RESTARTS = 3  # per worker; then its slots go to the others


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(f"run.executor: ray needs the ray package: {RAY_EXTRA}") from None
    return ray


def _limit_key(config: Config, role: str) -> tuple[str, float | None, float | None] | None:
    """Roles naming the same model with the same limits share one bucket (as in build)."""
    spec = config.models.for_role(role)
    if not (spec.requests_per_minute or spec.tokens_per_minute):
        return None
    return spec.label(), spec.requests_per_minute, spec.tokens_per_minute


# -- reports -------------------------------------------------------------------------------


@dataclass
class Spend:
    """One worker incarnation's drafts and tokens so far (cumulative: a lost report loses
    nothing, and a retried one counts once)."""

    worker: str
    drafts: int
    usage: dict[str, Usage]


@dataclass
class WorkerReport:
    spend: Spend
    candidates: int
    retries: int
    revised: dict[str, int]
    biased_tokens: int
    backstories_missing: int
    model_seconds: float


@dataclass
class SlotResult:
    slot: int
    accepted: str | None
    stop: str | None
    report: WorkerReport


# -- actors ----------------------------------------------------------------------------------


class AcceptorActor:
    """The one acceptance point of a run; Ray runs its calls one at a time."""

    def __init__(
        self,
        config: Config,
        out: str,
        reference: Reference | None,
        cost_of: Callable[[dict[str, str], dict[str, Usage]], float],
    ) -> None:
        count = config.run.count
        self.config, self.out = config, Path(out)
        state = read_ledger(self.out / REVIEWS, repair=True)  # the source of truth
        stages = build(config, reference=reference, expected_size=count).stages
        ids, texts = [r.id for r in state.records], [r.text for r in state.records]
        restore_store(stages.store, ids, texts, self.out / SNAPSHOT_NAME)
        if stages.quotas is not None:
            for record in state.records:
                stages.quotas.claim(record.text, record.aspects)
        self.stats = RunStats()
        self.labels = stages.model_labels
        self.acceptance = stages.acceptance(
            JsonlWriter(self.out / REVIEWS),
            JsonlWriter(self.out / REJECTS),
            self.stats,
            filled={record.slot: record.id for record in state.records},
        )
        self.budget = Budget(
            max_attempts=config.run.max_attempts or max(50, count * 30),
            max_tokens=config.run.max_tokens,
            max_cost=config.run.max_cost,
            tokens_of=lambda: sum(u.total_tokens for u in self.usage().values()),
            cost_of=lambda: cost_of(self.labels, self.usage()),
        )
        self.spent: dict[str, Spend] = {}
        self.stop: str | None = None

    def ready(self) -> int:
        return len(self.acceptance.filled)

    def model_labels(self) -> dict[str, str]:
        return self.labels

    def submit(self, items: list[Offer | RejectRecord], spend: Spend) -> list[Outcome]:
        """A worker's offers and rejections, in the order it made them: one call carries all
        that piled up while its previous call was under way (a call costs more than a check)."""
        outcomes = []
        for item in items:
            if isinstance(item, Offer):
                outcomes.append(self.acceptance.offer(item))
            else:
                self.acceptance.reject(item)
                outcomes.append(Outcome())
        self.spent[spend.worker] = spend
        if self.stop is None:
            self.budget.attempts = sum(s.drafts for s in self.spent.values())
            try:  # a probe for one more draft: does any budget still allow it?
                self.budget.take_attempt()
            except BudgetExhausted as exc:
                self.stop = str(exc)
        quotas = self.acceptance.quota_state()
        # The record stays here (it is on disk); the worker needs only its id.
        return [replace(o, record=None, stop=self.stop, quotas=quotas) for o in outcomes]

    def filled(self, slots: list[int]) -> list[int]:
        return [slot for slot in slots if slot in self.acceptance.filled]

    def usage(self) -> dict[str, Usage]:
        return _sum_usage(spend.usage for spend in self.spent.values())

    def summary(self) -> dict[str, Any]:
        self.acceptance.accepted.close()
        self.acceptance.rejects.close()
        return {
            "accepted": len(self.acceptance.filled),
            "rejected": dict(self.stats.rejected),
            "quota_relief": self.stats.quota_relief,
            "stop": self.stop,
        }


class LimiterActor:
    """One model's request and token buckets for the whole cluster."""

    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None):
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute)

    async def acquire(self) -> None:
        await self.limiter.acquire()

    async def charge_tokens(self, tokens: int) -> None:
        self.limiter.charge_tokens(tokens)


class RemoteLimiter:
    """A worker's stand-in for ``RateLimiter`` that waits on the cluster's limiter actor."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    async def acquire(self) -> None:
        await self.actor.acquire.remote()

    def charge_tokens(self, tokens: int) -> None:
        if tokens:
            self.actor.charge_tokens.remote(tokens)


class SharedBudget(Budget):
    """A worker's budget: the acceptor adds up every worker's drafts and tokens and says when
    one is spent; drafts already under way finish (at most one candidate's per slot)."""

    def __init__(self) -> None:
        super().__init__(max_attempts=2**62)
        self.stop: str | None = None

    def take_attempt(self) -> None:
        if self.stop is not None:
            raise BudgetExhausted(self.stop)
        self.attempts += 1


class RemoteAcceptance:
    """The acceptance point as the per-slot loop sees it on a worker: the acceptor actor.

    One call at a time per worker: offers and rejections made while a call is under way wait
    and go together in the next, so a busy worker sends batches and an idle one single items.
    """

    remote = True

    def __init__(
        self,
        acceptor: Any,
        spend: Callable[[], Spend],
        quotas: Quotas | None,
        budget: SharedBudget,
    ) -> None:
        self.acceptor, self.spend, self.quotas, self.budget = acceptor, spend, quotas, budget
        self._waiting: list[tuple[Offer | RejectRecord, asyncio.Future[Outcome]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def offer(self, offer: Offer) -> Outcome:
        return await self._submit(offer)

    async def reject(self, rejection: RejectRecord) -> None:
        await self._submit(rejection)

    async def _submit(self, item: Offer | RejectRecord) -> Outcome:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send())
        return await future

    async def _send(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                outcomes = await self.acceptor.submit.remote([i for i, _ in batch], self.spend())
            except Exception as exc:  # the acceptor is gone for good: every caller hears it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():  # its slot may have been cancelled meanwhile
                    future.set_result(self._apply(outcome))

    def _apply(self, outcome: Outcome) -> Outcome:
        if self.quotas is not None and outcome.quotas is not None:
            apply_quota_state(self.quotas, outcome.quotas)
        if outcome.stop is not None:
            self.budget.stop = outcome.stop
        return outcome


class DraftWorker:
    """Drafts the slots it is given with its own model, offering each draft to the acceptor."""

    def __init__(
        self,
        config: Config,
        reference: Reference | None,
        acceptor: str,
        limiters: dict[tuple[str, float | None, float | None], str],
        threads: int,
    ) -> None:
        """``acceptor`` and ``limiters`` are actor names: a handle among an actor's arguments
        ties its restart to objects the driver owns."""
        os.environ["REVIEWGEN_THREADS"] = str(threads)  # read when the engine starts
        self.token = uuid.uuid4().hex  # this incarnation: a restarted worker reports anew
        stages = build(config, reference=reference, expected_size=config.run.count).stages
        ray = _ray()
        proxies = {key: RemoteLimiter(ray.get_actor(name)) for key, name in limiters.items()}
        for role in list(stages.limiters):
            key = _limit_key(config, role)
            if key is not None:
                stages.limiters[role] = proxies[key]  # type: ignore[assignment]
        if stages.context_base.get("limiter") is not None:
            stages.context_base["limiter"] = proxies[_limit_key(config, "judge")]
        self.stats = RunStats()
        self.budget = SharedBudget()
        self.orchestrator = Orchestrator(
            stages,
            run_seed=config.run.seed,
            acceptance=RemoteAcceptance(
                ray.get_actor(acceptor), self.spend, stages.quotas, self.budget
            ),
            budget=self.budget,
            stats=self.stats,
        )

    def ready(self) -> int:
        return os.getpid()

    def pid(self) -> int:
        return os.getpid()

    def spend(self) -> Spend:
        usage = self.orchestrator.usage()
        return Spend(
            self.token, self.budget.attempts, {r: u.model_copy() for r, u in usage.items()}
        )

    def report(self) -> WorkerReport:
        stats = self.stats
        return WorkerReport(
            spend=self.spend(),
            candidates=stats.candidates,
            retries=stats.retries,
            revised=dict(stats.revised),
            biased_tokens=stats.biased_tokens,
            backstories_missing=stats.backstories_missing,
            model_seconds=stats.model_seconds,
        )

    async def fill(self, slot: int, rating: int) -> SlotResult:
        try:
            accepted = await self.orchestrator.fill_slot_in_turn(slot, rating)
        except BudgetExhausted as exc:
            return SlotResult(slot, None, f"budget: {exc}", self.report())
        return SlotResult(slot, accepted, None, self.report())


def _sum_usage(usages: Any) -> dict[str, Usage]:
    total: dict[str, Usage] = {}
    for usage in usages:
        for role, used in usage.items():
            sum_ = total.setdefault(role, Usage())
            sum_.calls += used.calls
            sum_.input_tokens += used.input_tokens
            sum_.output_tokens += used.output_tokens
    return total


# -- the driver ------------------------------------------------------------------------------


def _check_address(address: str) -> None:
    """Ray waits forever for a head that does not answer: try the port first."""
    host_port = address.removeprefix("ray://")
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"run.ray.address: {address!r} is not HOST:PORT or ray://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
            pass
    except OSError as exc:
        raise ConfigError(
            f"run.ray.address: no Ray cluster answers at {address} ({exc.strerror or exc}); "
            "start one with `ray start --head` or leave the address unset to run on this machine"
        ) from None


def _is_loopback(address: str | None) -> bool:
    if address is None:
        return True
    host = address.removeprefix("ray://").rpartition(":")[0].strip("[]")
    return host in {"localhost", "::1"} or host.startswith("127.")


def _connect(address: str | None) -> tuple[Any, bool]:
    """(ray, whether this call started the connection). A process already connected (a test's
    cluster, a notebook) keeps its connection."""
    if address is not None:
        _check_address(address)
    if _is_loopback(address) and "ray" not in sys.modules:
        # Ray replaces a loopback address by the machine's network address unless told it
        # runs on one host; a cluster on this machine then stays on 127.0.0.1.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray = _ray()
    if ray.is_initialized():
        return ray, False
    options: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    if address is None:  # "local": never a cluster some earlier run left on this machine
        options |= {"address": "local", "include_dashboard": False}
        options["_node_ip_address"] = "127.0.0.1"
    else:
        options["address"] = address
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"run.ray.address: could not join the Ray cluster: {first}") from None
    return ray, True


def _cause(exc: BaseException) -> BaseException:
    """The worker's own exception inside a Ray task error."""
    cause = getattr(exc, "cause", None)
    return cause if isinstance(cause, BaseException) else exc


def _not_installed(exc: BaseException) -> bool:
    return "No module named 'reviewgen" in str(exc) or "No module named 'reviewgen" in str(
        _cause(exc)
    )


class RayExecutor:
    """Connects and checks everything before a review is written; ``run`` then drives."""

    def __init__(
        self,
        config: Config,
        out: Path,
        *,
        reference: Reference | None,
        cost_of: Callable[[dict[str, str], dict[str, Usage]], float],
    ) -> None:
        settings = config.run.ray
        self.config = config
        self.ray, self._started = _connect(settings.address)
        ray = self.ray
        try:
            cpus = int(ray.cluster_resources().get("CPU", 0))
            per_worker = settings.cpus_per_worker
            if per_worker > cpus:
                raise ConfigError(
                    f"run.ray.cpus_per_worker: {per_worker} CPUs per worker, but the Ray "
                    f"cluster has {cpus}"
                )
            self.workers = settings.workers or max(1, cpus // per_worker)
            if self.workers * per_worker > cpus:
                raise ConfigError(
                    f"run.ray.workers: {self.workers} workers of {per_worker} CPU(s) need "
                    f"{self.workers * per_worker} CPUs; the Ray cluster has {cpus} (add nodes, "
                    "or lower --ray-workers)"
                )
            self.nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
            self._start_actors(config, out, reference, cost_of)
        except BaseException:
            self.close()
            raise

    def _start_actors(
        self,
        config: Config,
        out: Path,
        reference: Reference | None,
        cost_of: Callable[[dict[str, str], dict[str, Usage]], float],
    ) -> None:
        ray = self.ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        run_id = uuid.uuid4().hex[:8]
        self.name = f"reviewgen-acceptor-{run_id}"
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        # Kept for the run: a restarted actor reads its arguments again.
        self._reference = shared_reference = None if reference is None else ray.put(reference)
        self.acceptor = (
            ray.remote(AcceptorActor)
            .options(
                name=self.name,
                num_cpus=0,
                max_restarts=-1,
                max_task_retries=-1,  # retried calls are safe: offers are idempotent
                scheduling_strategy=here,  # the ledger is written beside the driver
            )
            .remote(config, str(out.resolve()), shared_reference, cost_of)
        )
        self.limiters: dict[tuple[str, float | None, float | None], Any] = {}
        names = {}
        for role in ROLES:
            key = _limit_key(config, role)
            if key is not None and key not in self.limiters:
                names[key] = f"reviewgen-limiter-{run_id}-{len(names)}"
                self.limiters[key] = (
                    ray.remote(LimiterActor)
                    .options(name=names[key], num_cpus=0, max_concurrency=1000, max_restarts=-1)
                    .remote(key[1], key[2])
                )
        per_worker = config.run.ray.cpus_per_worker
        self.pool = [
            ray.remote(DraftWorker)
            .options(
                name=f"reviewgen-worker-{run_id}-{index}",
                num_cpus=per_worker,
                max_restarts=MAX_RESTARTS,
                max_concurrency=config.run.concurrency + 2,
            )
            .remote(config, shared_reference, self.name, names, per_worker)
            for index in range(self.workers)
        ]
        waiting = [self.acceptor.ready.remote(), *(w.ready.remote() for w in self.pool)]
        try:
            ray.get(waiting, timeout=READY_TIMEOUT)
        except ray.exceptions.GetTimeoutError:
            raise ConfigError(
                f"run.ray.workers: {self.workers} workers did not start within "
                f"{READY_TIMEOUT:.0f} s (are the cluster's CPUs taken by other jobs?)"
            ) from None
        except (ray.exceptions.RayActorError, ray.exceptions.RayTaskError) as exc:
            if _not_installed(exc):
                raise ConfigError(
                    "run.ray.address: the cluster's workers cannot import reviewgen; install "
                    f"the same reviewgen on every node ({RAY_EXTRA})"
                ) from None
            cause = _cause(exc)
            if isinstance(cause, ReviewgenError):
                raise cause from None
            raise ReviewgenError(f"a Ray worker failed to start: {_first_line(cause)}") from None
        self.labels: dict[str, str] = ray.get(self.acceptor.model_labels.remote())

    def describe(self) -> dict[str, Any]:
        """What run.json says about where the run ran."""
        return {
            "executor": "ray",
            "workers": self.workers,
            "cpus_per_worker": self.config.run.ray.cpus_per_worker,
            "nodes": self.nodes,
            "worker_failures": getattr(self, "failures", 0),
        }

    def run(
        self,
        todo: list[tuple[int, int]],
        stats: RunStats,
        on_progress: Callable[[RunStats], None] | None = None,
    ) -> str:
        """Fill ``todo`` [(slot, rating)]; returns why it stopped: complete / budget: ..."""
        ray = self.ray
        concurrency = self.config.run.concurrency
        queue = deque(todo)
        inflight: dict[Any, tuple[int, tuple[int, int]]] = {}
        probes: dict[Any, tuple[int, float]] = {}
        load = [0] * len(self.pool)
        live = set(range(len(self.pool)))
        reports: dict[str, WorkerReport] = {}
        self.failures = 0  # slot calls lost to a dead worker
        stop = "complete"
        try:
            while (queue and live) or inflight or probes:
                while stop == "complete" and queue and live:
                    index = min(live, key=lambda i: load[i])
                    if load[index] >= concurrency:
                        break
                    item = queue.popleft()
                    inflight[self.pool[index].fill.remote(*item)] = index, item
                    load[index] += 1
                ready, _ = ray.wait([*inflight, *probes], num_returns=1, timeout=1.0)
                for ref in ready:
                    if ref in probes:
                        index, _ = probes.pop(ref)
                        with contextlib.suppress(ray.exceptions.RayActorError):
                            ray.get(ref)
                            live.add(index)  # restarted: it takes slots again
                        continue
                    index, item = inflight.pop(ref)
                    load[index] -= 1
                    try:
                        result: SlotResult = ray.get(ref)
                    except ray.exceptions.RayActorError:
                        # The worker died: this slot goes back unless its review got in.
                        self.failures += 1
                        if ray.get(self.acceptor.filled.remote([item[0]])):
                            stats.accepted += 1  # its review got in before the worker died
                        else:
                            queue.appendleft(item)
                        if index in live:
                            live.discard(index)
                            probes[self.pool[index].ready.remote()] = index, time.monotonic()
                        continue
                    except ray.exceptions.RayTaskError as exc:
                        raise _cause(exc) from None
                    reports[result.report.spend.worker] = result.report
                    if result.accepted is not None:
                        stats.accepted += 1
                    elif result.stop is not None and stop == "complete":
                        stop = result.stop
                        queue.clear()
                self._expire_probes(probes)
                _merge(stats, reports.values())
                if on_progress is not None:
                    on_progress(stats)
        except KeyboardInterrupt:
            return "interrupted"
        if queue:
            raise ReviewgenError(
                f"every Ray worker died; {len(queue)} slots are left (resume with --resume)"
            )
        return stop

    def _expire_probes(self, probes: dict[Any, tuple[int, float]]) -> None:
        """A worker that has not come back in time (its node left, no room elsewhere) is
        given up; its slots went back to the queue when it died."""
        now = time.monotonic()
        for ref, (_, since) in list(probes.items()):
            if now - since > PROBE_TIMEOUT:
                del probes[ref]

    def finish(self, stats: RunStats) -> dict[str, Usage]:
        summary = self.ray.get(self.acceptor.summary.remote())
        stats.rejected = Counter(summary["rejected"])
        stats.quota_relief = summary["quota_relief"]
        return self.ray.get(self.acceptor.usage.remote())

    def close(self) -> None:
        """Stop this run's actors; disconnect from (or stop) the Ray this run started."""
        ray = self.ray
        for actor in [*getattr(self, "pool", []), *getattr(self, "limiters", {}).values()]:
            with contextlib.suppress(Exception):
                ray.kill(actor, no_restart=True)
        if getattr(self, "acceptor", None) is not None:
            with contextlib.suppress(Exception):
                ray.kill(self.acceptor, no_restart=True)
        if self._started:
            ray.shutdown()


def _merge(stats: RunStats, reports: Any) -> None:
    """The workers' counts, summed over every worker incarnation's latest report."""
    reports = list(reports)
    stats.drafts = sum(r.spend.drafts for r in reports)
    stats.candidates = sum(r.candidates for r in reports)
    stats.retries = sum(r.retries for r in reports)
    stats.revised = Counter()
    for report in reports:
        stats.revised.update(report.revised)
    stats.biased_tokens = max((r.biased_tokens for r in reports), default=0)
    stats.backstories_missing = sum(r.backstories_missing for r in reports)
    # The busiest worker's model time: the share of the run the models were waited on.
    stats.model_seconds = max((r.model_seconds for r in reports), default=0.0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
