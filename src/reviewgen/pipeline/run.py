"""A generation run on disk: output checks, resume, budgets, manifest, summary.

``out/reviews.jsonl`` is the source of truth; ``run.json`` records the resolved config and its
hash (so a resume with other settings is refused), models, seed, counts, tokens and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from reviewgen import __version__
from reviewgen.agents.persona import Calibration, PersonaAgent
from reviewgen.core.config import Config, config_hash
from reviewgen.core.errors import ReviewgenError
from reviewgen.core.schemas import Usage
from reviewgen.pipeline.acceptor import InProcess
from reviewgen.pipeline.build import build
from reviewgen.pipeline.ledger import JsonlWriter, LedgerState, read_ledger
from reviewgen.pipeline.orchestrator import Budget, Orchestrator, RunStats
from reviewgen.pipeline.reference import Reference, load_reference
from reviewgen.text.aspects import AspectLexicon
from reviewgen.vectorstore import SNAPSHOT_NAME
from reviewgen.vectorstore import restore as restore_store

REVIEWS, REJECTS, MANIFEST = "reviews.jsonl", "rejects.jsonl", "run.json"


@dataclass
class RunResult:
    out: Path
    status: str
    accepted: int
    resumed_from: int
    stats: RunStats
    usage: dict[str, Usage]
    cost: float
    notes: list[str] = field(default_factory=list)
    executor: dict[str, Any] = field(default_factory=lambda: {"executor": "local"})

    @property
    def reviews_per_minute(self) -> float:
        return self.stats.reviews_per_minute


def check_writable(out: Path) -> None:
    """Fail before any model call if the output directory cannot take files."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise ReviewgenError(f"output directory {out} is not writable: {exc.strerror}") from None


def prepare_out(out: Path, *, resume: bool, overwrite: bool) -> None:
    check_writable(out)
    existing = [name for name in (REVIEWS, REJECTS, MANIFEST) if (out / name).exists()]
    if existing and not resume:
        if not overwrite:
            raise ReviewgenError(
                f"{out} already holds a run ({', '.join(existing)}); continue it with "
                f"--resume {out}, or replace it with --overwrite"
            )
        for name in existing:
            (out / name).unlink()


def load_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not path.exists():
        raise ReviewgenError(f"{out} has no {MANIFEST}: nothing to resume")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ReviewgenError(f"{path} is damaged; start a new run with --overwrite") from None


def cost_of(config: Config, labels: dict[str, str], usage: dict[str, Usage]) -> float:
    total = 0.0
    for role, used in usage.items():
        price = config.prices.get(labels.get(role, ""))
        if price is not None:
            total += used.input_tokens * price.input_per_million / 1e6
            total += used.output_tokens * price.output_per_million / 1e6
    return total


def write_manifest(
    out: Path,
    config: Config,
    result: RunResult,
    labels: dict[str, str],
    reference: Reference | None = None,
) -> None:
    manifest = {
        "generator": f"reviewgen {__version__}",
        "synthetic": True,
        "status": result.status,
        "count": config.run.count,
        "accepted": result.accepted,
        "seed": config.run.seed,
        "config_hash": config_hash(config),
        "models": labels,
        "drafts": result.stats.drafts,
        "candidates": result.stats.candidates,
        "retries": result.stats.retries,
        "rejected": dict(result.stats.rejected),
        "revised_at_acceptance": dict(result.stats.revised),
        "quota_relief": result.stats.quota_relief,
        "biased_tokens": result.stats.biased_tokens,
        "usage": {role: u.model_dump() for role, u in result.usage.items()},
        "cost": round(result.cost, 6),
        "seconds": round(result.stats.elapsed, 3),
        "model_seconds": round(result.stats.model_seconds, 3),
        "reviews_per_minute": round(result.reviews_per_minute, 2),
        **result.executor,
        "reference": (reference.manifest(config.reference.holdout_fraction) if reference else None),
        "config": config.model_dump(mode="json"),
    }
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, out / MANIFEST)  # never a half-written manifest


def generate(
    config: Config,
    out: Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    reference: Reference | None = None,
    calibrate: bool = True,
    on_progress: Any = None,
) -> RunResult:
    prepare_out(out, resume=resume, overwrite=overwrite)
    state = read_ledger(out / REVIEWS, repair=True)
    notes = []
    if state.torn_bytes:
        notes.append(f"dropped a torn last line ({state.torn_bytes} bytes) from {REVIEWS}")
    if config.run.executor == "ray":
        return _generate_on_ray(config, out, state, notes, reference, calibrate, on_progress)
    count = config.run.count
    built = build(config, reference=reference, calibrate=calibrate, expected_size=count)
    stages = built.stages
    done_slots = {record.slot for record in state.records}
    ids, texts = [r.id for r in state.records], [r.text for r in state.records]
    restore_store(stages.store, ids, texts, out / SNAPSHOT_NAME)  # snapshot + embed the tail
    if stages.quotas is not None:
        for record in state.records:
            stages.quotas.claim(record.text, record.aspects)
    ratings = stages.agent.allocate(count, config.run.seed)
    todo = [(slot, ratings[slot]) for slot in range(count) if slot not in done_slots]
    budget = Budget(
        max_attempts=config.run.max_attempts or max(50, count * 30),
        max_tokens=config.run.max_tokens,
        max_cost=config.run.max_cost,
    )
    accepted = JsonlWriter(out / REVIEWS)
    rejects = JsonlWriter(out / REJECTS)
    stats = RunStats()
    acceptance = stages.acceptance(accepted, rejects, stats)
    orchestrator = Orchestrator(
        stages,
        run_seed=config.run.seed,
        acceptance=InProcess(acceptance),
        budget=budget,
        stats=stats,
        on_progress=on_progress,
    )
    budget.tokens_of = lambda: sum(u.total_tokens for u in orchestrator.usage().values())
    budget.cost_of = lambda: cost_of(config, stages.model_labels, orchestrator.usage())
    resumed_from = len(done_slots)
    orchestrator.stats.accepted = orchestrator.stats.resumed = resumed_from

    def result(status: str) -> RunResult:
        usage = orchestrator.usage()
        return RunResult(
            out,
            status,
            orchestrator.stats.accepted,
            resumed_from,
            orchestrator.stats,
            usage,
            cost_of(config, stages.model_labels, usage),
            notes,
        )

    write_manifest(out, config, result("running"), stages.model_labels, built.reference)
    try:
        status = _run_with_signals(orchestrator.run(todo, config.run.concurrency))
    finally:
        orchestrator.stats.finished = time.perf_counter()
        accepted.close()
        rejects.close()
    final = result(status)
    write_manifest(out, config, final, stages.model_labels, built.reference)
    return final


def _generate_on_ray(
    config: Config,
    out: Path,
    state: LedgerState,
    notes: list[str],
    reference: Reference | None,
    calibrate: bool,
    on_progress: Any,
) -> RunResult:
    """The same run on a Ray cluster: this process plans the slots, Ray workers draft, one
    acceptor actor accepts (``pipeline/ray_executor.py``)."""
    from reviewgen.pipeline.ray_executor import RayExecutor  # ray is an optional extra

    if reference is None and config.reference.path:
        lexicon = AspectLexicon(config.category.aspects)
        parts = None if calibrate else []
        reference = load_reference(config.reference, lexicon, calibrate_parts=parts)
    count = config.run.count
    agent = PersonaAgent(config, reference.calibration if reference else Calibration())
    ratings = agent.allocate(count, config.run.seed)
    done_slots = {record.slot for record in state.records}
    todo = [(slot, ratings[slot]) for slot in range(count) if slot not in done_slots]
    executor = RayExecutor(config, out, reference=reference, cost_of=partial(cost_of, config))
    stats = RunStats()
    stats.accepted = stats.resumed = len(done_slots)

    def result(status: str, usage: dict[str, Usage]) -> RunResult:
        return RunResult(
            out,
            status,
            stats.accepted,
            len(done_slots),
            stats,
            usage,
            cost_of(config, executor.labels, usage),
            notes,
            executor.describe(),
        )

    try:
        write_manifest(out, config, result("running", {}), executor.labels, reference)
        try:
            status = executor.run(todo, stats, on_progress)
        finally:
            stats.finished = time.perf_counter()
        final = result(status, executor.finish(stats))
    finally:
        executor.close()
    write_manifest(out, config, final, executor.labels, reference)
    return final


def _run_with_signals(coro: Any) -> str:
    """Run the loop; the first Ctrl-C cancels it cleanly (writes are never torn), the second
    exits at once."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(coro)
    interrupts = 0

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            os._exit(130)
        task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        return "interrupted"
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        loop.close()
