import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation import evaluate, load_run_info, write_report
from reviewgen.evaluation.svg import REAL, SYNTHETIC
from tests.evaluation.conftest import options
from tests.evaluation.corpus import make_reviews
from tests.evaluation.png import read_png

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_page_is_self_contained(same_distribution, tmp_path):
    html = write_report(same_distribution, tmp_path)["html"].read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|@font-face", html)
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") >= 7  # 3 lengths, ratings, sentiment, topics, similarity
    for section in (
        "Score card",
        "Shape",
        "Sentiment",
        "Topics",
        "Realism",
        "Diversity",
        "Uniqueness",
        "Utility",
        "Privacy",
    ):
        assert f"<h2>{section}" in html


def test_review_text_is_escaped(tmp_path):
    hostile = ReviewRow(text="<script>alert(1)</script> great phone")
    reference = [*make_reviews(200, 2), hostile]
    synthetic = [*make_reviews(100, 1), hostile]
    result = evaluate(synthetic, reference, make_reviews(60, 3), options())
    html = write_report(result, tmp_path)["html"].read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; great phone" in html
    assert "<script>" not in html


def test_not_enough_data_is_shown_not_crashed(tmp_path):
    result = evaluate(make_reviews(6, 1), make_reviews(9, 2), options=options())
    paths = write_report(result, tmp_path)
    assert "Not enough data:" in paths["html"].read_text("utf-8")
    assert json.loads(paths["metrics"].read_text("utf-8"))["realism"]["status"] == (
        "not_enough_data"
    )


def test_card_reads_the_run_manifest(same_distribution, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "reviews.jsonl").write_text("")
    manifest = {
        "generator": "reviewgen 0.1.0",
        "synthetic": True,
        "status": "complete",
        "count": 300,
        "accepted": 300,
        "seed": 42,
        "config_hash": "abc123",
        "models": {"writer": "fake:fake"},
        "usage": {"writer": {"calls": 310, "input_tokens": 1000, "output_tokens": 900}},
        "config": {
            "models": {"default": {"temperature": 0.8, "top_p": 0.95, "max_tokens": 200}},
            "critic": {"rules": [{"name": "length.v1"}, {"name": "pii.v1"}]},
        },
        "new_field": "kept",
    }
    (run_dir / "run.json").write_text(json.dumps(manifest))
    run_info, source = load_run_info(run_dir / "reviews.jsonl")
    card = write_report(same_distribution, tmp_path / "out", run_info=run_info, run_source=source)
    text = card["card"].read_text("utf-8")
    assert "**Every record in this dataset is synthetic.**" in text
    assert "| writer | fake:fake | 0.8 | 0.95 | 200 |" in text
    assert "| seed | 42 |" in text and "| new_field | kept |" in text
    assert "length.v1, pii.v1" in text
    assert "| Realism | " in text and "not for posting as real reviews" in text


def test_card_without_or_with_a_broken_manifest(same_distribution, tmp_path):
    data = tmp_path / "reviews.jsonl"
    data.write_text("")
    run_info, source = load_run_info(data)
    assert run_info is None and "no run.json" in source
    (tmp_path / "run.json").write_text("{broken")
    run_info, source = load_run_info(data)
    assert run_info is None and "could not be read" in source
    text = write_report(same_distribution, tmp_path / "out", run_info=None, run_source=source)[
        "card"
    ].read_text("utf-8")
    assert "Unknown:" in text and "could not be read" in text


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)
def test_the_page_renders_in_headless_chromium(same_distribution, tmp_path):
    html = write_report(same_distribution, tmp_path / "report")["html"]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = read_png(shot)[..., :3]
    assert pixels.shape == (3000, 1200, 3)
    assert (pixels < 250).any(axis=2).mean() > 0.03  # not a blank page
    for colour in (SYNTHETIC, REAL):  # the bars of both sets were drawn
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (pixels == rgb).all(axis=2).sum() > 2000, colour
