from collections import Counter

import numpy as np
from scipy.stats import ks_2samp

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.profile import profile_sets
from reviewgen.evaluation.shape import compare_ratings, compare_shape, histogram
from reviewgen.text.words import word_count
from tests.evaluation.corpus import make_reviews

PADDING = ["really", "solid", "phone", "overall", "honestly", "truly", "good", "value", "fine"]


def profiles(synthetic: list[ReviewRow], reference: list[ReviewRow]):
    found = profile_sets(synthetic, reference, [], EvaluationOptions(workers=1))
    return found["synthetic"], found["reference"]


def lengthened(rows: list[ReviewRow], extra: int) -> list[ReviewRow]:
    return [ReviewRow(text=r.text + " " + " ".join(PADDING[:extra]), rating=r.rating) for r in rows]


def test_identical_sets_have_zero_distance():
    rows = make_reviews(200, seed=1)
    result = compare_shape(*profiles(rows, list(rows)))
    for measure in ("words", "characters", "sentences"):
        assert result[measure]["ks"] == 0.0
        assert result[measure]["wasserstein"] == 0.0
    assert result["ratings"]["tv"] == 0.0


def test_a_length_shift_moves_ks_and_wasserstein_as_expected():
    rows = make_reviews(300, seed=1)
    base = np.array([word_count(r.text) for r in rows])
    previous_ks = 0.0
    for extra in (1, 3, 8):
        result = compare_shape(*profiles(lengthened(rows, extra), rows))
        # Every review is exactly `extra` words longer: the distributions are shifted copies.
        assert result["words"]["wasserstein"] == extra
        assert result["words"]["ks"] == round(ks_2samp(base + extra, base).statistic, 4)
        assert result["words"]["ks"] > previous_ks
        assert result["words"]["synthetic"]["median"] == result["words"]["real"]["median"] + extra
        previous_ks = result["words"]["ks"]


def test_rating_total_variation():
    assert compare_ratings(Counter({5: 30}), Counter({1: 30}))["tv"] == 1.0
    half = compare_ratings(Counter({5: 20, 4: 20}), Counter({5: 20, 1: 20}))
    assert half["tv"] == 0.5
    assert half["synthetic"] == {"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.5, "5": 0.5}
    assert compare_ratings(Counter({5: 19}), Counter({1: 30}))["status"] == "not_enough_data"


def test_missing_ratings_are_not_enough_data_for_ratings_only():
    synthetic = make_reviews(50, seed=1, ratings=False)
    result = compare_shape(*profiles(synthetic, make_reviews(50, seed=2)))
    assert result["status"] == "ok"
    assert result["ratings"]["status"] == "not_enough_data"
    assert "rated reviews" in result["ratings"]["reason"]


def test_too_few_rows_is_not_enough_data():
    result = compare_shape(*profiles(make_reviews(3, seed=1), make_reviews(50, seed=2)))
    assert result["status"] == "not_enough_data"
    assert "synthetic 3" in result["reason"]


def test_histogram_shares_sum_to_one_and_the_last_bin_holds_the_tail():
    a = np.array([1] * 98 + [5000, 6000])
    b = np.arange(1, 101)
    hist = histogram(a, b)
    assert abs(sum(hist["synthetic"]) - 1) < 1e-3 and abs(sum(hist["real"]) - 1) < 1e-3
    assert hist["synthetic"][-1] == 0.02  # the two outliers, not 60 empty bins
    assert len(hist["edges"]) <= 23


def test_the_share_of_long_reviews_is_compared():
    rows = make_reviews(200, seed=1)
    long_text = " ".join(["word"] * 116)  # 116 words: over the 115-word line
    padded = [ReviewRow(text=long_text, rating=5) for _ in range(20)]
    reference = rows[:180] + padded  # 10% long, like real reviews
    result = compare_shape(*profiles(rows, reference))["long_reviews"]
    assert result == {"words_over": 115, "synthetic": 0.0, "real": 0.1, "gap": 0.1}
    at_line = [ReviewRow(text=" ".join(["word"] * 115), rating=5)] * 20
    result = compare_shape(*profiles(rows[:180] + at_line, reference))["long_reviews"]
    assert result["synthetic"] == 0.0  # exactly 115 words is not over
