"""A person's session in headless Chromium: keyboard only, a reload in the middle, the report."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from reviewgen.study.app import build_app
from reviewgen.study.create import create_study
from reviewgen.study.stats import build_report
from reviewgen.study.store import Study
from tests.study.conftest import review_text, write_real, write_synthetic

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = "<script>window.pwned = 1</script><b>Bold</b> claims, nice phone"
READY = "document.body.dataset.state === 'ready'"


@contextmanager
def serving(study: Study) -> Iterator[str]:
    """The study's app on a free loopback port, in a thread of this test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        build_app(study), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)
def test_a_rater_answers_with_the_keyboard_reloads_and_resumes(tmp_path):
    from tests.study.cdp import Browser

    synthetic = write_synthetic(
        tmp_path / "s.jsonl", [HOSTILE, *(review_text(i, 8 + 7 * i) for i in range(5))]
    )
    real = write_real(tmp_path / "r.csv", [review_text(50 + i, 6 + 9 * i) for i in range(6)])
    study = create_study(synthetic, real, tmp_path / "study", per_rater=12, raters=["ann"])
    ann = study.raters()[0]
    truth = {row["text"]: row["source"] for row in study.rows()}
    answered = []
    with serving(study) as base:
        browser = Browser(CHROMIUM, tmp_path / "profile")
        try:
            browser.navigate(f"{base}/r/{ann.token}")
            for i in range(12):
                if i == 10:  # close-and-come-back: the server knows where the rater was
                    browser.navigate(f"{base}/r/{ann.token}")
                browser.wait_for(f"{READY} && progress.textContent === '{i} / 12'")
                text = browser.evaluate("document.getElementById('text').textContent")
                assert browser.evaluate("document.getElementById('text').childElementCount") == 0
                wrong = i % 3 == 0
                label = truth[text] if not wrong else {"real": "synthetic"}.get(truth[text], "real")
                browser.press("r" if label == "real" else "s")
                browser.press(str(1 + i % 5))
                if i == 2:
                    browser.press("c")
                    browser.type_text("sounds like an ad")
                browser.wait_for("!document.getElementById('submit').disabled")
                browser.press("Enter")
                browser.wait_for(f"progress.textContent === '{i + 1} / 12'")  # saved
                answered.append((text, label, 1 + i % 5))
            browser.wait_for("document.body.dataset.state === 'done'")
            assert browser.evaluate("progress.textContent") == "12 / 12"
            assert browser.evaluate("document.getElementById('done').hidden") is False
            assert browser.evaluate("typeof window.pwned") == "undefined"
        finally:
            browser.close()
    assert HOSTILE in [text for text, _, _ in answered]
    rows = [r for r in study.rows() if r["label"] is not None]
    assert [(r["text"], r["label"], r["confidence"]) for r in rows] == answered
    assert [r["comment"] for r in rows if r["comment"]] == ["sounds like an ad"]
    with sqlite3.connect(study.db_path) as db:
        stored = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    report = build_report(study.rows(), study.meta())["people"]
    assert report["answers"] == stored == 12
    assert report["accuracy"]["hits"] == 8  # every third answer was wrong on purpose
    assert report["per_rater"] == [
        {
            "rater": "ann",
            "answered": 12,
            "assigned": 12,
            "accuracy": report["accuracy"],
            "synthetic_caught": report["synthetic_caught"],
        }
    ]
