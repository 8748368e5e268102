"""The Ray executor: scaling with workers, the acceptor's rate, overhead against local.

- scaling: fake model sleeping 100 ms a call, 1, 2, 4 and 8 workers (``run.concurrency`` slots
  each), 40 slots per worker, on a Ray started here with 8 logical CPUs (the fake's calls
  sleep, so this measures the executor's overhead, not CPU); the local executor at the same
  number of slots in flight beside it.
- overhead: zero-latency fake model, 300 reviews: wall and CPU time per accepted review, local
  executor against one Ray worker (CPU is summed over the driver, the worker and the acceptor).
- acceptor: check-and-insert rate of ``Acceptance.offer`` in-process, and through the
  acceptor actor (one call per offer, many callers; and batches of 100).
- embedded (``--embedded [COUNT]``, results/ray-embedded.json): the real model, COUNT (12)
  reviews: local executor with 2 llama.cpp threads against 1 and 2 Ray workers of 1 thread each,
  and 1 Ray worker of 2 threads.

Each row records the machine's 1-minute load average when it ended: this is a shared 2-core
machine, and its other jobs slow every row.

Run: .venv/bin/python benchmarks/bench_ray.py [--embedded [COUNT]]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # Ray on 127.0.0.1 only
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

import ray

from common import fake_review, save
from reviewgen.core.schemas import Verdict
from reviewgen.pipeline.acceptor import Offer
from reviewgen.pipeline.build import build
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.ledger import JsonlWriter
from reviewgen.pipeline.orchestrator import RunStats
from reviewgen.pipeline.ray_executor import AcceptorActor, RemoteAcceptance, SharedBudget, Spend
from reviewgen.pipeline.run import cost_of, generate

FAKE = ["models.default.provider=fake", "models.default.model=fake", "store.threshold=0.95"]
SLOTS_PER_WORKER = 30
CONCURRENCY = 1  # slots in flight per worker: each worker waits on its model, like a GPU-less box
COLUMNS = [
    *("what", "executor", "workers", "concurrency", "latency_ms", "count", "drafts"),
    *("seconds", "startup_s", "reviews_per_s", "ms_per_accepted", "cpu_ms_per_accepted"),
    *("per_s", "load"),
]


def row(**values: object) -> dict:
    return {key: values.get(key, "") for key in COLUMNS} | {"load": round(os.getloadavg()[0], 1)}


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of this process and every Ray process on the machine (all started here)."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"ray" not in cmd and int(pid) != os.getpid():
                continue
            total += process_cpu(int(pid))
        except OSError:
            continue
    return total


def run(
    what: str,
    executor: str,
    workers: int,
    concurrency: int,
    latency: float,
    count: int,
    *extra: str,
) -> dict:
    config = load_config(
        None,
        [
            *FAKE,
            f"run.count={count}",
            f"run.concurrency={concurrency}",
            f"run.executor={executor}",
            f"run.ray.workers={workers}",
            f"models.default.options={{latency: {latency}}}",
            *extra,
        ],
    )
    cpu_at: dict[int, float] = {}

    def cpu_between_reviews(stats: RunStats) -> None:
        """CPU from the first accepted review to the last, before the actors exit: their
        start-up is left out."""
        if stats.accepted in (1, count) and stats.accepted not in cpu_at:
            cpu_at[stats.accepted] = children_cpu()

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = generate(config, Path(tmp), on_progress=cpu_between_reviews)
        wall, cpu = time.perf_counter() - started, cpu_at[count] - cpu_at[1]
    assert result.status == "complete" and result.accepted == count
    elapsed = result.stats.elapsed
    return row(
        what=what,
        executor=executor,
        workers=workers if executor == "ray" else "",
        concurrency=concurrency,
        latency_ms=int(latency * 1000),
        count=count,
        drafts=result.stats.drafts,
        seconds=round(elapsed, 2),
        startup_s=round(wall - elapsed, 1),
        reviews_per_s=round(count / elapsed, 1),
        ms_per_accepted=round(1000 * elapsed / count, 2),
        cpu_ms_per_accepted=round(1000 * cpu / (count - 1), 2),
    )


def scaling() -> list[dict]:
    rows = []
    for workers in (1, 2, 4, 8):
        count = SLOTS_PER_WORKER * workers
        rows.append(run("scaling", "ray", workers, CONCURRENCY, 0.1, count))
        rows.append(run("scaling", "local", 1, CONCURRENCY * workers, 0.1, count))
        print(rows[-2], rows[-1], file=sys.stderr)
    one = next(r for r in rows if r["executor"] == "ray" and r["workers"] == 1)
    eight = next(r for r in rows if r["executor"] == "ray" and r["workers"] == 8)
    rows.append(
        row(
            what="speed-up 8 workers / 1",
            per_s=round(eight["reviews_per_s"] / one["reviews_per_s"], 2),
        )
    )
    return rows


def overhead() -> list[dict]:
    rows = [run("overhead", "local", 1, 1, 0.0, 300), run("overhead", "ray", 1, 1, 0.0, 300)]
    print(rows, file=sys.stderr)
    return rows


def offers(count: int, config) -> list[Offer]:
    """Realistic, distinct reviews (the fake's templates) as offers to fill ``count`` slots."""
    stages = build(config, expected_size=count).stages
    rng = random.Random(7)
    texts = [fake_review(i, rng) for i in range(count)]
    vectors = stages.store.embed(texts)
    plan = stages.agent.plan(0, 5, run_seed=1)
    verdicts = [Verdict(rule="length.v1", passed=True)]
    return [
        Offer(plan.model_copy(update={"index": i}), text, vector, {}, verdicts, [], 0, 1)
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True))
    ]


def acceptor(count: int = 5_000) -> list[dict]:
    # Without quotas: every offer here shares one plan, so its aspects' quota would fill.
    config = load_config(None, [*FAKE, f"run.count={count}", "persona.retarget=false"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        stages = build(config, expected_size=count).stages
        accepted, rejects = JsonlWriter(Path(tmp) / "a.jsonl"), JsonlWriter(Path(tmp) / "r.jsonl")
        acceptance = stages.acceptance(accepted, rejects, RunStats())
        batch = offers(count, config)
        started = time.perf_counter()
        outcomes = [acceptance.offer(offer) for offer in batch]
        seconds = time.perf_counter() - started
        assert sum(o.accepted is not None for o in outcomes) > 0.95 * count  # inserts, mostly
        rows.append(
            row(
                what="acceptor in-process",
                count=count,
                seconds=round(seconds, 2),
                per_s=round(count / seconds),
            )
        )
    for mode in ("one call per offer", "4 workers' batching callers", "batches of 100"):
        with tempfile.TemporaryDirectory() as tmp:
            actor = (
                ray.remote(AcceptorActor)
                .options(num_cpus=0)
                .remote(config, tmp, None, partial(cost_of, config))
            )
            ray.get(actor.ready.remote())
            pid = ray.get(actor.__ray_call__.remote(lambda self: os.getpid()))
            spend = Spend("bench", 0, {})
            callers = [Caller.remote(actor) for _ in range(4)]
            ray.get([caller.ready.remote() for caller in callers])
            started, cpu = time.perf_counter(), process_cpu(pid)
            if mode == "batches of 100":
                refs = [
                    actor.submit.remote(batch[i : i + 100], spend) for i in range(0, count, 100)
                ]
            elif mode.startswith("4 workers"):
                refs = [c.offer_all.remote(batch[i::4], spend) for i, c in enumerate(callers)]
            else:
                refs = [actor.submit.remote([offer], spend) for offer in batch]
            outcomes = [
                o for done in ray.get(refs) for o in (done if isinstance(done, list) else [done])
            ]
            seconds, cpu = time.perf_counter() - started, process_cpu(pid) - cpu
            for member in (actor, *callers):
                ray.kill(member)
        assert len(outcomes) == count
        assert sum(o.accepted is not None for o in outcomes) > 0.95 * count
        rows.append(
            row(
                what=f"acceptor actor, {mode}",
                count=count,
                seconds=round(seconds, 2),
                cpu_ms_per_accepted=round(1000 * cpu / count, 3),  # the acceptor's own CPU
                per_s=round(count / seconds),
            )
        )
        print(rows[-1], file=sys.stderr)
    return rows


@ray.remote(num_cpus=0)
class Caller:
    """A stand-in worker offering its share of the reviews all at once through the workers'
    own ``RemoteAcceptance`` (which batches what piles up): the acceptor's rate, no model."""

    def __init__(self, acceptor) -> None:
        self.acceptor = acceptor

    def ready(self) -> bool:
        return True

    async def offer_all(self, offers: list[Offer], spend: Spend) -> list:
        import asyncio

        point = RemoteAcceptance(self.acceptor, lambda: spend, None, SharedBudget())
        return list(await asyncio.gather(*(point.offer(o) for o in offers)))


def embedded(count: int) -> list[dict]:
    rows = []
    real = [
        "models.default.provider=llamacpp",
        "models.default.model=gemma3-270m-latin",
        "store.threshold=0.8",
    ]
    os.environ["REVIEWGEN_THREADS"] = "2"
    for executor, workers, cpus in (("local", 1, 2), ("ray", 1, 1), ("ray", 2, 1), ("ray", 1, 2)):
        config = load_config(
            None,
            [
                *real,
                f"run.count={count}",
                f"run.executor={executor}",
                f"run.ray.workers={workers}",
                f"run.ray.cpus_per_worker={cpus}",
            ],
        )
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            result = generate(config, Path(tmp))
            wall = time.perf_counter() - started
        elapsed = result.stats.elapsed
        rows.append(
            row(
                what="embedded model",
                executor=executor,
                workers=f"{workers} x {cpus} threads" if executor == "ray" else "",
                concurrency=1,
                count=result.accepted,
                drafts=result.stats.drafts,
                seconds=round(elapsed, 1),
                startup_s=round(wall - elapsed, 1),
                reviews_per_s=round(result.accepted / elapsed, 3),
                per_s=f"{60 * result.accepted / elapsed:.2f} reviews/min",
            )
        )
        print(rows[-1], file=sys.stderr)
    return rows


def main() -> None:
    ray.init(
        num_cpus=8,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    if "--embedded" in sys.argv:
        tail = sys.argv[sys.argv.index("--embedded") + 1 :]
        save("ray-embedded", embedded(int(tail[0]) if tail else 12))
    else:
        run("warm-up", "local", 1, 1, 0.0, 20)
        save("ray", [*scaling(), *overhead(), *acceptor()])
    ray.shutdown()


if __name__ == "__main__":
    main()
