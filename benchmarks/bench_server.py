"""Accepted reviews/min through a local OpenAI-compatible server against the embedded engine,
on the same model (SmolLM2-135M-Instruct) and machine, at concurrency 1 and 8.

The server is llama-cpp-python's own (``python -m llama_cpp.server``, the ``server`` extra).
It has no parallel slots: it answers one request at a time (``--n_parallel`` is llama.cpp's
C++ server's option, not this one's), so concurrency there only queues requests. The embedded
engine decodes up to ``parallel`` sequences together. Both use the same critic rules, chat
style, no judge and no backstory, so the writer's calls are what is compared.

    cd benchmarks && ../.venv/bin/python bench_server.py [COUNT] [--threads N]

Writes results/server.json, with the machine's load average before and after each row.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import save
from reviewgen.models.llamacpp import resolve_model
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

RULES = (
    "critic.rules=[{name: length.v1, params: {min_ratio: 0.3, max_ratio: 3.0}}, "
    "{name: markup.v1}, {name: language.v1}, {name: degeneration.v1}]"
)
COMMON = [
    RULES,
    "writer.style=chat",
    "writer.exemplars=2",
    "persona.length={mode: range, min_words: 15, max_words: 45}",
    "store.threshold=0.95",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(threads: int, context: int) -> tuple[subprocess.Popen, str]:
    path, _ = resolve_model("smollm2-135m-instruct")
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias",
        "smollm2", "--chat_format", "chatml", "--n_ctx", str(context), "--n_threads",
        str(threads), "--n_threads_batch", str(threads), "--host", "127.0.0.1", "--port",
        str(port), "--verbose", "False",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                json.load(response)
                return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("llama_cpp.server did not start")


def run(what: str, model: dict, count: int, concurrency: int) -> dict:
    overrides = [
        *COMMON,
        f"models.default={json.dumps(model)}",
        f"run.count={count}",
        f"run.concurrency={concurrency}",
    ]
    config = load_config(None, overrides)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(config, Path(tmp))
    usage = result.usage["writer"]
    return {
        "what": what,
        "concurrency": concurrency,
        "accepted": result.accepted,
        "drafts": result.stats.drafts,
        "seconds": round(result.stats.elapsed, 1),
        "reviews_per_min": round(result.reviews_per_minute, 2),
        "output_tokens_per_s": round(usage.output_tokens / result.stats.elapsed, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=12)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    os.environ["REVIEWGEN_THREADS"] = str(args.threads)  # the embedded engine's threads
    sampling = {"temperature": 0.8, "max_tokens": 96}
    embedded = {"provider": "llamacpp", "model": "smollm2-135m-instruct", **sampling}
    rows = []
    process, url = start_server(args.threads, context=2048)
    try:
        served = {
            "provider": "openai",
            "model": "smollm2",
            "base_url": url,
            "context_window": 2048,
            "timeout": 600,
            **sampling,
        }
        for concurrency in (1, 8):
            rows.append(run("llama_cpp.server", served, args.count, concurrency))
    finally:
        process.terminate()
        process.wait(timeout=30)
    for concurrency in (1, 8):
        rows.append(run("embedded engine", embedded, args.count, concurrency))
    save("server", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
