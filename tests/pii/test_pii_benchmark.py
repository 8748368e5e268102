"""The detector on the labelled cases (tests/data/pii_cases.jsonl) meets the agreed bar."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pii.py"


@pytest.fixture(scope="module")
def scores():
    spec = importlib.util.spec_from_file_location("bench_pii", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(bench)
    cases = bench.load_cases()
    assert len(cases) >= 200
    return bench.score(cases)


def test_the_case_set_covers_every_kind_and_the_tricky_negatives(scores):
    assert all(scores.gold[kind] >= 10 for kind in ("email", "phone", "url", "address", "card"))
    assert scores.gold["person"] >= 30
    assert scores.model_number_cases >= 50 and scores.negative_cases >= 100


@pytest.mark.parametrize("kind", ["email", "phone", "url"])
def test_recall_on_contact_details(scores, kind):
    assert scores.recall(kind) >= 0.95, scores.misses


def test_few_false_positives_on_model_numbers(scores):
    assert scores.model_number_fp_rate() < 0.02, scores.false_positives


def test_precision_overall(scores):
    assert all(scores.precision(kind) >= 0.9 for kind in ("email", "phone", "url", "card"))
