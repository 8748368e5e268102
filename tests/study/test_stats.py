"""The report's statistics on examples worked by hand or published with the method."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from reviewgen.study.report_html import render_section
from reviewgen.study.stats import (
    build_report,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    proportion,
)

Z = 1.959963984540054


def wilson(hits: int, n: int) -> tuple[float, float]:
    p = hits / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def test_proportion_is_a_wilson_interval_and_an_exact_test():
    block = proportion(6, 8)
    assert block["rate"] == 0.75
    assert block["ci95"] == pytest.approx(wilson(6, 8), abs=1e-9)
    assert block["p_value"] == pytest.approx(74 / 256)  # P(X >= 6) + P(X <= 2), X ~ B(8, 1/2)
    assert proportion(0, 0)["rate"] is None


def test_fleiss_kappa_on_the_published_example():
    # Fleiss (1971), as worked on Wikipedia: 10 subjects, 14 raters, 5 categories.
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(counts) == pytest.approx(0.20993, abs=1e-5)
    assert fleiss_kappa([[2, 0], [2, 0]]) is None  # one category throughout: undefined


def test_krippendorff_alpha_on_the_published_example():
    # Krippendorff, "Computing Krippendorff's alpha-reliability": 4 observers, 12 units,
    # missing values; nominal alpha = 0.743.
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[o[u] for o in observers if o[u] is not None] for u in range(12)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha_nominal([["a", "a"], ["a"]]) is None


def _row(rater, kind, item, source, label, stars=5, words=10, confidence=3):
    return {
        "rater": rater,
        "rater_kind": kind,
        "position": item,
        "item": item,
        "source": source,
        "dataset_id": f"{source}-{item}",
        "product": "Pixel",
        "stars": stars,
        "words": words,
        "text": f"text <b>{item}</b>",
        "label": label,
        "confidence": confidence,
        "comment": "",
        "answered_at": "2025-01-01T00:00:00+00:00",
    }


SOURCES = {1: "synthetic", 2: "synthetic", 3: "real", 4: "real"}
STARS = {1: 5, 2: 1, 3: 5, 4: 1}
WORDS = {1: 12, 2: 30, 3: 80, 4: 16}
ANSWERS = {
    ("ann", "person"): ["synthetic", "real", "real", "real"],  # 3 of 4 right
    ("bob", "person"): ["synthetic", "synthetic", "synthetic", "real"],  # 3 of 4 right
    ("fake:m", "model"): ["synthetic"] * 4,  # 2 of 4 right
}


@pytest.fixture
def report() -> dict:
    rows = [
        _row(rater, kind, item, SOURCES[item], labels[item - 1], STARS[item], WORDS[item])
        for (rater, kind), labels in ANSWERS.items()
        for item in SOURCES
    ]
    rows.append({**_row("cid", "person", 1, "synthetic", None), "confidence": None})
    return build_report(rows, {"show_product": True, "show_stars": True})


def test_the_report_on_a_hand_worked_study(report):
    people = report["people"]
    assert report["study"] == {
        "items": 4,
        "synthetic": 2,
        "real": 2,
        "people": 3,
        "models": 1,
        "shown": {"product": True, "stars": True},
        "created_at": None,
    }
    assert people["answers"] == 8
    assert (people["accuracy"]["hits"], people["accuracy"]["n"]) == (6, 8)
    assert people["accuracy"]["ci95"] == pytest.approx(wilson(6, 8))
    assert people["synthetic_caught"]["rate"] == 3 / 4
    assert people["real_accepted"]["rate"] == 3 / 4
    # Item counts [synthetic, real]: [2, 0], [1, 1], [1, 1], [0, 2]. Observed agreement 1/2,
    # chance agreement 1/2: kappa 0. Alpha corrects for the 8 values: 1 - 7 * 4 / 32 = 0.125.
    agreement = people["agreement"]
    assert agreement["raters"] == 2  # cid has not answered yet
    assert agreement["fleiss_kappa"] == pytest.approx(0.0)
    assert agreement["krippendorff_alpha"] == pytest.approx(0.125)
    assert agreement["kappa_items"] == agreement["alpha_items"] == 4
    assert [(r["rater"], r["answered"], r["assigned"]) for r in people["per_rater"]] == [
        ("ann", 4, 4),
        ("bob", 4, 4),
        ("cid", 0, 1),
    ]
    assert people["by_stars"]["5"]["accuracy"]["rate"] == 3 / 4  # items 1 and 3
    assert people["by_stars"]["1"]["synthetic_caught"]["rate"] == 1 / 2  # item 2
    assert list(people["by_length"]) == ["<=15", "16-50", ">50"]
    assert people["by_length"][">50"]["accuracy"]["rate"] == 1 / 2
    assert [(c["id"], c["caught"], c["answers"]) for c in people["caught_most"]] == [
        ("synthetic-1", 2, 2),
        ("synthetic-2", 1, 2),
    ]


def test_model_raters_are_reported_apart(report):
    assert list(report["models"]) == ["fake:m"]
    model = report["models"]["fake:m"]
    assert (model["accuracy"]["hits"], model["accuracy"]["n"]) == (2, 4)
    assert model["said_synthetic"]["rate"] == 1.0
    assert "agreement" not in model
    assert all(r["rater"] != "fake:m" for r in report["people"]["per_rater"])
    assert Counter(r["rater"] for r in model["per_rater"]) == {"fake:m": 1}


def test_the_html_section_escapes_the_study(report):
    html = render_section(report)
    assert html.startswith('<section class="human-study"><h2>Human evaluation</h2>')
    assert "text &lt;b&gt;1&lt;/b&gt;" in html and "<b>" not in html
    assert "Model rater fake:m (not pooled with people)" in html
    assert "<script" not in html
