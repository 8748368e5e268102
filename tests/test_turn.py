"""The loop's turn: a worker's next request leaves before the other workers' work runs."""

from __future__ import annotations

import asyncio
import contextlib
from contextvars import ContextVar

import pytest

from reviewgen.models.fake import FakeChatModel
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.critic import Critic
from reviewgen.pipeline.run import generate
from reviewgen.pipeline.turn import Turn

WORKER: ContextVar[str] = ContextVar("worker", default="?")


async def three_workers(turn: Turn | None) -> list[str]:
    """Each worker does its work, then one scheduling hop (as LangChain's per-call task),
    then sends its request and waits on the model."""
    log: list[str] = []

    async def worker(name: str) -> None:
        async with turn.held() if turn else contextlib.nullcontext():
            for _ in range(2):
                log.append(f"work {name}")
                async with turn.waiting() if turn else contextlib.nullcontext():
                    await asyncio.sleep(0)
                    log.append(f"request {name}")
                    await asyncio.sleep(0.01)

    await asyncio.gather(*(worker(name) for name in "abc"))
    return log


def test_each_worker_sends_its_request_before_the_next_one_works():
    log = asyncio.run(three_workers(Turn()))
    assert log[:6] == ["work a", "request a", "work b", "request b", "work c", "request c"]
    # Without the turn, every request waits for every worker's work: the waves this prevents.
    assert asyncio.run(three_workers(None))[:4] == ["work a", "work b", "work c", "request a"]


def test_a_task_without_the_turn_waits_as_it_is():
    async def main() -> str:
        turn = Turn()
        async with turn.waiting():
            await asyncio.sleep(0)
        async with turn.held():  # the turn is free: nothing was released twice
            return "ok"

    assert asyncio.run(main()) == "ok"


def test_a_worker_cancelled_while_taking_the_turn_back_leaves_the_holder_alone():
    async def main() -> list[str]:
        turn, log = Turn(), []
        reply = asyncio.Event()

        async def first() -> None:
            async with turn.held():
                async with turn.waiting():
                    await reply.wait()
                log.append("first took the turn back")

        async def second() -> None:
            async with turn.held():
                reply.set()
                await asyncio.sleep(0.01)  # holds the turn while the first is cancelled
                log.append("second still holds it")

        one = asyncio.create_task(first())
        await asyncio.sleep(0)
        two = asyncio.create_task(second())
        await asyncio.sleep(0.005)
        one.cancel()
        await asyncio.gather(one, two, return_exceptions=True)
        async with turn.held():  # released exactly once: free again, not broken
            log.append("free")
        return log

    assert asyncio.run(main()) == ["second still holds it", "free"]


@pytest.mark.parametrize("style", ["chat", "completion"])
def test_the_run_sends_each_next_request_before_another_worker_is_critiqued(
    tmp_path, monkeypatch, style
):
    """On the real call path: LangChain's chat model, or the completion chain with its task
    per step, then the critic, the store and the ledger."""
    log: list[str] = []
    review, generate_async = Critic.review, FakeChatModel._agenerate

    async def logged_review(self, draft, context):
        WORKER.set(str(id(asyncio.current_task())))
        log.append("critic " + WORKER.get())
        return await review(self, draft, context)

    async def logged_request(self, *args, **kwargs):
        log.append("request " + WORKER.get())  # the model's task inherits the worker's context
        return await generate_async(self, *args, **kwargs)

    monkeypatch.setattr(Critic, "review", logged_review)
    monkeypatch.setattr(FakeChatModel, "_agenerate", logged_request)
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "models.default.model=fake",
            "run.count=24",
            "run.concurrency=4",
            "run.max_attempts=120",  # the fake's text often fails the critic in completion style
            f"writer.style={style}",
            "models.default.options={latency: 0.002}",
        ],
    )
    generate(config, tmp_path)
    overtaken = []  # per next request: did another worker's critic run before it left?
    for i, event in enumerate(log):
        kind, worker = event.split()
        own = [j for j in range(i + 1, len(log)) if log[j].split()[1] == worker]
        if kind == "critic" and own and log[own[0]] == f"request {worker}":
            overtaken.append(any(e.startswith("critic") for e in log[i + 1 : own[0]]))
    assert len(overtaken) >= 20
    assert sum(overtaken) <= 0.05 * len(overtaken), log[:80]
