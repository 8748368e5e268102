"""length.v1: word count against the plan's target."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEXT = (
    "I bought this phone for my mother and she uses it every day for calls and the odd photo "
    "of the garden so far it has been fine and the battery gets her through two days easily"
)
SENTENCE = TEXT.split()


def draft(n: int) -> str:
    return " ".join(SENTENCE[i % len(SENTENCE)] for i in range(n))


def test_on_target_passes_with_full_score(check):
    verdict = check("length.v1", draft(20), length_target=20)
    assert verdict.passed
    assert verdict.score == 1.0
    assert verdict.details == {"words": 20, "target": 20}


def test_too_short_fails_with_words_to_add(check):
    verdict = check("length.v1", draft(8), length_target=20)
    assert not verdict.passed
    assert verdict.details["too_short_by"] == 12
    assert verdict.feedback == "Write more: about 20 words (this draft has 8)."


def test_too_long_fails_with_words_to_cut(check):
    verdict = check("length.v1", draft(40), length_target=20)
    assert not verdict.passed
    assert verdict.details["too_long_by"] == 20
    assert verdict.feedback.startswith("Make it shorter")


@pytest.mark.parametrize("words", [10, 32])
def test_band_edges_pass_with_half_score(check, words):
    verdict = check("length.v1", draft(words), length_target=20)
    assert verdict.passed
    assert verdict.score == pytest.approx(0.5)


def test_absolute_floor_applies_to_tiny_targets(check):
    verdict = check("length.v1", "Love it.", length_target=2)
    assert not verdict.passed
    assert verdict.details["too_short_by"] == 0  # on target, yet under min_words


def test_params_change_the_band(check):
    assert check("length.v1", draft(12), {"min_ratio": 0.5}, length_target=20).passed
    assert not check("length.v1", draft(12), {"min_ratio": 0.8}, length_target=20).passed


def test_empty_draft_scores_zero(check):
    verdict = check("length.v1", "", length_target=20)
    assert not verdict.passed
    assert verdict.score == 0.0


# ``check`` is a pure function, so sharing it across examples is safe.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.integers(0, 90), target=st.integers(1, 60))
def test_pass_matches_band_and_score_falls_with_distance(check, words, target):
    verdict = check("length.v1", draft(words), length_target=target)
    slack = abs(words - target) <= 5  # slack_words: short targets get a few words either way
    in_band = words >= 3 and (slack or 0.5 <= words / target <= 1.6)
    assert verdict.passed == in_band
    assert 0.0 <= verdict.score <= 1.0
    if words >= 3:
        assert (verdict.score >= 0.5) == in_band
    nearer = check("length.v1", draft(target), length_target=target)
    assert nearer.score >= verdict.score
