import numpy as np

from reviewgen.evaluation.diversity import (
    compare_diversity,
    compression_ratio,
    distinct_n,
    near_duplicate_rate,
    tokenise,
)
from tests.evaluation.corpus import make_reviews


def test_distinct_n_by_hand():
    tokens = tokenise(["A b a B", "c"])
    assert distinct_n(tokens, 1) == 3 / 5  # a, b, c of a b a b c
    assert distinct_n(tokens, 2) == 2 / 3  # (a b), (b a), (a b); none across reviews
    assert distinct_n(tokens, 3) == 2 / 2
    assert distinct_n(tokenise(["one"]), 2) == 0.0


def test_repetition_raises_compression_ratio():
    varied = [r.text for r in make_reviews(200, seed=1)]
    repeated = varied[:20] * 10
    assert compression_ratio(repeated) > 2 * compression_ratio(varied)


def test_near_duplicate_rate_by_hand():
    vectors = np.array(
        [[1, 0, 0], [1, 0, 0], [0.8, 0.6, 0], [0, 0, 1]], dtype=np.float32
    )  # rows 0 and 1 identical; row 2 at cosine 0.8 to both; row 3 alone
    assert near_duplicate_rate(vectors, 0.99) == 0.5
    assert near_duplicate_rate(vectors, 0.8) == 0.75
    assert near_duplicate_rate(vectors, 0.5) == 0.75


def test_a_repetitive_set_is_less_diverse_at_equal_size():
    real = [r.text for r in make_reviews(300, seed=2)]
    repetitive = [r.text for r in make_reviews(30, seed=1)] * 10
    result = compare_diversity(repetitive, real, seed=0)
    assert result["n_per_set"] == 300
    assert result["distinct_2_ratio"] < 0.5
    assert result["distinct_2"]["synthetic"] < result["distinct_2"]["real"]
    assert result["compression_ratio"]["synthetic"] > result["compression_ratio"]["real"]


def test_sets_are_compared_at_equal_size():
    result = compare_diversity(
        [r.text for r in make_reviews(40, seed=1)],
        [r.text for r in make_reviews(400, seed=2)],
        seed=0,
    )
    assert result["n_per_set"] == 40
    assert compare_diversity(["a b"] * 5, ["c d"] * 50, seed=0)["status"] == "not_enough_data"
