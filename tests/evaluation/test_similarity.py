import random

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.similarity import similarity_checks
from tests.evaluation.conftest import options
from tests.evaluation.corpus import make_reviews


def test_fresh_reviews_are_as_close_to_the_source_as_held_out_real_ones():
    result = similarity_checks(
        make_reviews(200, 1), make_reviews(400, 2), make_reviews(200, 3), options()
    )
    dcr = result["uniqueness"]["dcr"]
    assert dcr["closer_than_holdout_share"] <= 0.03  # about 1% expected
    assert abs(dcr["synthetic_nn"]["median"] - dcr["holdout_nn"]["median"]) < 0.05
    copies = result["uniqueness"]["copies"]
    assert copies["excess_rate"] < 0.1  # the templates repeat; held-out real ones do too


def test_copies_of_the_reference_are_flagged_and_listed():
    reference = make_reviews(400, 2)
    copied = [ReviewRow(text=r.text.upper(), rating=r.rating) for r in reference[:100]]
    synthetic = copied + make_reviews(100, 1)
    random.Random(0).shuffle(synthetic)
    result = similarity_checks(synthetic, reference, make_reviews(200, 3), options())
    uniqueness = result["uniqueness"]
    copies = uniqueness["copies"]
    assert copies["exact"] >= 100  # upper-casing does not hide a copy
    assert copies["count"] >= 100
    assert copies["excess_rate"] > 0.3
    first = copies["examples"][0]
    assert first["similarity"] == 1.0
    assert first["synthetic"].lower() == first["real"].lower()
    assert uniqueness["dcr"]["closer_than_holdout_share"] >= 0.5


def test_a_set_repeating_itself_has_a_high_near_duplicate_rate():
    repetitive = make_reviews(40, 1) * 5
    result = similarity_checks(repetitive, make_reviews(200, 2), None, options())
    dups = result["near_duplicates"]
    # Compared at the size of the reference part; a few repeats lose their twins to sampling.
    assert dups["n_per_set"] == result["uniqueness"]["reference_rows"]
    assert dups["synthetic"] > 0.95
    assert dups["real"] < 0.5


def test_without_a_holdout_the_reference_is_split():
    result = similarity_checks(make_reviews(100, 1), make_reviews(500, 2), None, options())
    uniqueness = result["uniqueness"]
    assert uniqueness["reference_rows"] + uniqueness["holdout_rows"] == 500
    assert 60 < uniqueness["holdout_rows"] < 140  # 20% share, seeded


def test_a_tiny_reference_is_not_enough_data_for_dcr_but_copies_still_count():
    reference = make_reviews(8, 2)
    result = similarity_checks(reference[:3], reference, None, options())
    uniqueness = result["uniqueness"]
    assert uniqueness["dcr"]["status"] == "not_enough_data"
    assert uniqueness["copies"]["exact"] == 3


def test_large_references_switch_to_hnsw_and_still_find_copies(monkeypatch):
    monkeypatch.setattr("reviewgen.evaluation.similarity.EXACT_UP_TO", 100)
    reference = make_reviews(400, 2)
    synthetic = reference[:50] + make_reviews(150, 1)
    approximate = similarity_checks(synthetic, reference, make_reviews(200, 3), options())
    monkeypatch.setattr("reviewgen.evaluation.similarity.EXACT_UP_TO", 10_000)
    exact = similarity_checks(synthetic, reference, make_reviews(200, 3), options())
    assert (
        approximate["uniqueness"]["search"] == "hnsw" and exact["uniqueness"]["search"] == "exact"
    )
    assert approximate["uniqueness"]["copies"]["exact"] == exact["uniqueness"]["copies"]["exact"]
    gap = abs(
        approximate["uniqueness"]["dcr"]["synthetic_nn"]["mean"]
        - exact["uniqueness"]["dcr"]["synthetic_nn"]["mean"]
    )
    assert gap < 0.01
