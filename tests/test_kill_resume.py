"""kill -9 at random moments, resume each time: exactly `count` unique records, nothing lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

COUNT = 80
ARGS = [
    "--set",
    "models.default.provider=fake",
    "--set",
    "models.default.model=fake",
    "--set",
    "models.default.options={latency: 0.1}",  # a 12 s run: 20 kills land before it ends
    "--set",
    "store.threshold=0.95",
]


def run_cli(out: Path, resume: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "reviewgen.cli", "generate"]
    command += (
        ["--resume", str(out)] if resume else ["--count", str(COUNT), "--out", str(out), *ARGS]
    )
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def accepted(out: Path) -> list[dict]:
    path = out / "reviews.jsonl"
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    return [json.loads(line) for line in lines[:-1] if line.strip()]  # drop a torn tail


def test_twenty_kills_lose_nothing_and_duplicate_nothing(tmp_path):
    rng = random.Random(20)
    out = tmp_path / "run"
    kills = 0
    seen: dict[str, str] = {}
    started_once = False
    while kills < 20:
        process = run_cli(out, resume=started_once and (out / "run.json").exists())
        manifest = out / "run.json"
        before = manifest.stat().st_mtime_ns if manifest.exists() else 0
        deadline = time.monotonic() + 60
        # Wait for the run to start writing (imports take seconds), then kill at a random moment.
        while (
            process.poll() is None
            and time.monotonic() < deadline
            and (not manifest.exists() or manifest.stat().st_mtime_ns == before)
        ):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.6))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        started_once = True
        for record in accepted(out):
            assert seen.setdefault(record["id"], record["text"]) == record["text"]
        if len(accepted(out)) == COUNT:
            break
    final = run_cli(out, resume=True)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    records = accepted(out)
    assert len(records) == COUNT
    assert len({r["slot"] for r in records}) == COUNT
    assert len({r["text"] for r in records}) == COUNT
    assert set(seen) <= {r["id"] for r in records}  # every record ever seen survived
    assert kills == 20
