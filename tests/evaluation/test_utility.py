from reviewgen.evaluation.utility import train_synthetic_test_real
from tests.evaluation.corpus import make_reviews


def sample(seed: int, n: int, flip: bool = False) -> list[tuple[str, int | None]]:
    return [(r.text, 6 - r.rating if flip else r.rating) for r in make_reviews(n, seed)]


def test_synthetic_from_the_same_distribution_is_as_useful_as_real():
    result = train_synthetic_test_real(sample(2, 300), sample(1, 300), sample(3, 200), seed=0)
    assert result["train_real"]["f1"] > 0.9
    assert result["f1_ratio"] > 0.9
    assert result["n_train"] <= 300


def test_synthetic_with_wrong_stars_is_useless_for_training():
    result = train_synthetic_test_real(
        sample(2, 300), sample(1, 300, flip=True), sample(3, 200), seed=0
    )
    assert result["train_synthetic"]["f1"] < 0.3
    assert result["f1_ratio"] < 0.5
    assert result["augmentation_gain_f1"] < 0


def test_training_sets_are_equal_in_size():
    result = train_synthetic_test_real(sample(2, 400), sample(1, 120), sample(3, 200), seed=0)
    labelled_synthetic = sum(1 for _, r in sample(1, 120) if r != 3)
    assert result["n_train"] == labelled_synthetic


def test_no_ratings_is_not_enough_data():
    unrated = [(text, None) for text, _ in sample(1, 100)]
    result = train_synthetic_test_real(sample(2, 300), unrated, sample(3, 100), seed=0)
    assert result["status"] == "not_enough_data"
    assert "ratings are required" in result["reason"]
    tiny_test = train_synthetic_test_real(sample(2, 300), sample(1, 300), sample(3, 4), seed=0)
    assert tiny_test["status"] == "not_enough_data"
    assert "holdout" in tiny_test["reason"]
