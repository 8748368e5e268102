"""aspect_coverage.v1: the plan's aspects must be mentioned."""

from __future__ import annotations

BOTH = "The battery lasts two days and the camera takes lovely photos of my kids."
CAMERA_ONLY = "The camera takes lovely photos of my kids, even indoors."


def test_all_aspects_covered_passes(check):
    verdict = check("aspect_coverage.v1", BOTH, aspects=["battery", "camera"])
    assert verdict.passed
    assert verdict.score == 1.0
    assert verdict.details["covered_aspects"] == ["battery", "camera"]


def test_missing_aspect_fails_with_hint(check):
    verdict = check("aspect_coverage.v1", CAMERA_ONLY, aspects=["battery", "camera"])
    assert not verdict.passed
    assert verdict.score == 0.5
    assert verdict.details["missing_aspects"] == ["battery"]
    assert verdict.feedback == "Also talk about the battery."


def test_feedback_lists_every_missing_aspect(check):
    verdict = check("aspect_coverage.v1", "Nice phone.", aspects=["battery", "display", "value"])
    assert verdict.feedback == "Also talk about the battery, display and value."
    assert verdict.score == 0.0


def test_min_share_allows_partial_coverage(check):
    params = {"min_share": 0.5}
    assert check("aspect_coverage.v1", CAMERA_ONLY, params, aspects=["battery", "camera"]).passed
    assert not check("aspect_coverage.v1", "Nice.", params, aspects=["battery", "camera"]).passed


def test_extra_terms_extend_the_lexicon(check):
    draft = "The juice lasts until bedtime even with maps on."
    assert not check("aspect_coverage.v1", draft, aspects=["battery"]).passed
    params = {"extra_terms": {"battery": ["juice"]}}
    assert check("aspect_coverage.v1", draft, params, aspects=["battery"]).passed


def test_aspect_name_counts_when_lexicon_lacks_it(check):
    draft = "Customer service sorted out my problem within a day. The speakers are loud too."
    verdict = check("aspect_coverage.v1", draft, aspects=["customer_service", "speakers"])
    assert verdict.passed


def test_no_target_aspects_passes(check):
    assert check("aspect_coverage.v1", "Fine phone.", aspects=[]).passed
