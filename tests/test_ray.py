"""The Ray executor on real Ray clusters on this machine (127.0.0.1 only).

A two-node ``ray.cluster_utils.Cluster`` (Ray's documented way to simulate several nodes on
one host) is started once for the module; a head started with ``ray start --head --block``
checks the CLI's ``--ray-address`` (stopping that command stops that head only: ``ray stop``
would also stop every other Ray on the machine). Skipped when ray is not installed
(``pip install 'reviewgen[ray]'``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

# A cluster on one host stays on 127.0.0.1 (Ray would otherwise use the network address),
# without the token a first local ray.init leaves in ~/.ray for later clusters to demand.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_AUTH_MODE"] = "disabled"
ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'reviewgen[ray]'")

from reviewgen.core.allocation import largest_remainder  # noqa: E402
from reviewgen.core.errors import ConfigError  # noqa: E402
from reviewgen.pipeline.components import load_config  # noqa: E402
from reviewgen.pipeline.run import generate  # noqa: E402
from reviewgen.vectorstore import build_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RAY_BIN = Path(sys.executable).with_name("ray")
FAKE = [
    "models.default.provider=fake",
    "models.default.model=fake",
    "models.default.options={latency: 0.05}",
    "store.threshold=0.95",
]
FAKE_ARGS = [arg for item in FAKE for arg in ("--set", item)]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray talks over loopback sockets; anything else still fails the test."""
    original = socket.socket.connect

    def guard(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if self.family == socket.AF_UNIX or host in {"127.0.0.1", "localhost", "::1"}:
            return original(self, address)
        raise AssertionError(f"test tried to open a network connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config(count: int, *extra: str):
    return load_config(str(ROOT / "config.yaml"), [f"run.count={count}", *FAKE, *extra])


def records(out: Path) -> list[dict]:
    lines = (out / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@contextlib.contextmanager
def ray_head(port: int, env: dict[str, str]) -> Iterator[None]:
    """``ray start --head`` on 127.0.0.1:PORT, stopped on exit. With ``--block`` the head's
    processes go with the command, so stopping it stops this head only; ``ray stop`` would
    stop every Ray on the machine."""
    command = [str(RAY_BIN), "start", "--head", "--block", f"--port={port}"]
    command += ["--node-ip-address=127.0.0.1", "--num-cpus=2", "--include-dashboard=false"]
    command += ["--disable-usage-stats"]
    head = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert head.stdout is not None
        deadline = time.monotonic() + 120
        for line in head.stdout:  # ends when the command does
            if "Ray runtime started" in line or time.monotonic() > deadline:
                break
        assert head.poll() is None, "ray start --head failed"
        yield
    finally:
        # SIGINT or SIGTERM would drain the node for 30 s first; killing the command makes
        # its reaper stop the head's processes at once.
        head.kill()
        head.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and port_open(port):
            time.sleep(0.2)
        assert not port_open(port), "the ray head outlived its command"


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# -- before any cluster: bad addresses, and a head started by hand ----------------------------


def test_an_address_where_no_cluster_answers_is_one_line_before_any_review(tmp_path):
    port = free_port()
    cfg = config(5, "run.executor=ray", f"run.ray.address='127.0.0.1:{port}'")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"^run\.ray\.address: no Ray cluster answers") as exc:
        generate(cfg, tmp_path / "out")
    assert "\n" not in str(exc.value)
    assert time.monotonic() - started < 10
    assert not (tmp_path / "out" / "reviews.jsonl").exists()


def test_cli_joins_a_head_started_with_ray_start_and_refuses_workers_without_reviewgen(tmp_path):
    port = free_port()
    with ray_head(port, ENV):
        out = tmp_path / "out"
        command = [sys.executable, "-m", "reviewgen.cli", "generate", "--count", "12"]
        command += ["--out", str(out), "--executor", "ray", "--ray-address", f"127.0.0.1:{port}"]
        command += ["--ray-workers", "2", *FAKE_ARGS]
        done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        manifest = json.loads((out / "run.json").read_text())
        assert (manifest["executor"], manifest["workers"], manifest["status"]) == (
            "ray",
            2,
            "complete",
        )
        assert len({r["id"] for r in records(out)}) == 12
        # Workers that cannot import reviewgen: a stand-in package shadows it in this job's
        # worker processes (as on a node where it was never installed).
        shadow = tmp_path / "shadow" / "reviewgen"
        shadow.mkdir(parents=True)
        (shadow / "__init__.py").write_text(
            "raise ModuleNotFoundError(\"No module named 'reviewgen'\")\n", encoding="utf-8"
        )
        address = f"127.0.0.1:{port}"
        ray.init(address=address, runtime_env={"env_vars": {"PYTHONPATH": str(shadow.parent)}})
        try:
            cfg = config(5, "run.executor=ray", f"run.ray.address='{address}'")
            with pytest.raises(ConfigError, match=r"^run\.ray\.address: .*cannot import"):
                generate(cfg, tmp_path / "broken")
            assert not (tmp_path / "broken" / "reviews.jsonl").exists()
        finally:
            ray.shutdown()


def test_without_an_address_a_ray_starts_here_and_more_workers_than_cpus_is_one_line(tmp_path):
    """No address: a new Ray on 127.0.0.1 (never one an earlier run left), sized to this
    machine's CPUs; asking for more workers fails before any review."""
    cpus = os.cpu_count() or 1
    cfg = config(5, "run.executor=ray", f"run.ray.workers={cpus + 1}")
    with pytest.raises(
        ConfigError, match=rf"^run\.ray\.workers: {cpus + 1} workers .* has {cpus}\b"
    ):
        generate(cfg, tmp_path / "out")
    assert not ray.is_initialized()  # the Ray it started is stopped again
    assert not (tmp_path / "out" / "reviews.jsonl").exists()


# -- a two-node cluster on this machine ------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    node = {"num_cpus": 2, "node_ip_address": "127.0.0.1"}
    nodes = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    nodes.add_node(**node)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, log_to_driver=False, configure_logging=False)
    yield nodes
    ray.shutdown()
    nodes.shutdown()


def worker_pids() -> list[int]:
    names = [n for n in ray.util.list_named_actors() if n.startswith("reviewgen-worker-")]
    return ray.get([ray.get_actor(name).pid.remote() for name in names])


def test_500_reviews_on_two_nodes_survive_a_killed_worker(cluster, tmp_path):
    cfg = config(500, "run.executor=ray", "run.ray.workers=4", "run.concurrency=4")
    killed: list[int] = []

    def kill_one(stats) -> None:
        if not killed and stats.accepted >= 100:
            pid = worker_pids()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "out"
    result = generate(cfg, out, on_progress=kill_one)
    assert killed and result.status == "complete"
    rows = records(out)
    assert len(rows) == 500 and len({r["id"] for r in rows}) == 500
    assert sorted(r["slot"] for r in rows) == list(range(500))
    # No accepted pair at or above the store's threshold.
    vectors = build_embedder("hashing.v1", {}).embed([r["text"] for r in rows])
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    assert similarity.max() < cfg.store.threshold
    # The configured rating mix, exactly.
    assert Counter(r["rating"] for r in rows) == Counter(
        largest_remainder(cfg.persona.ratings, 500)
    )
    manifest = json.loads((out / "run.json").read_text())
    assert (manifest["executor"], manifest["workers"], manifest["nodes"]) == ("ray", 4, 2)
    assert manifest["worker_failures"] >= 1 and manifest["accepted"] == 500


def test_more_workers_than_cpus_is_one_line_naming_the_setting(cluster, tmp_path):
    cfg = config(5, "run.executor=ray", "run.ray.workers=5")
    with pytest.raises(ConfigError, match=r"^run\.ray\.workers: 5 workers .* has 4\b"):
        generate(cfg, tmp_path / "out")
    assert not (tmp_path / "out" / "reviews.jsonl").exists()


def test_a_killed_run_resumes_on_ray_from_its_ledger(cluster, tmp_path):
    """The ledger is the source of truth: the acceptor rebuilds its index from it (the first
    part ran on the local executor: a run can move between executors)."""
    out = tmp_path / "out"
    assert generate(config(40), out).accepted == 40
    cfg = config(40, "run.executor=ray", "run.ray.workers=1")
    kept = records(out)[:25]
    (out / "reviews.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in kept) + '{"torn', encoding="utf-8"
    )
    again = generate(cfg, out, resume=True)
    rows = records(out)
    assert again.status == "complete" and again.resumed_from == 25
    assert len(rows) == 40 and len({r["slot"] for r in rows}) == 40
    assert [r["id"] for r in rows[:25]] == [r["id"] for r in kept]
    vectors = build_embedder("hashing.v1", {}).embed([r["text"] for r in rows])
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    assert similarity.max() < cfg.store.threshold  # the resumed part checked the first part
