"""Fixtures: one full evaluation of two samples of the same made-up distribution, shared by the
tests that only read its metrics (a full run takes a few seconds)."""

from __future__ import annotations

import pytest

from reviewgen.evaluation import EvaluationOptions, EvaluationResult, evaluate
from tests.evaluation.corpus import LEXICON, make_reviews


def options(**changes: object) -> EvaluationOptions:
    return EvaluationOptions(**{"aspects": LEXICON, "workers": 1, "zero_shot": False, **changes})


@pytest.fixture(scope="module")
def same_distribution() -> EvaluationResult:
    return evaluate(make_reviews(300, seed=1), make_reviews(500, seed=2), options=options())
