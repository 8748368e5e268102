import numpy as np
from sklearn.metrics import roc_auc_score

from reviewgen.evaluation.realism import assign_folds, delong, draws_for, two_sample_test
from tests.evaluation.corpus import make_reviews


def texts(n: int, seed: int, prefix: str = "") -> list[str]:
    return [r.text for r in make_reviews(n, seed, prefix=prefix)]


def test_delong_auc_matches_scikit_learn_and_variance_shrinks_with_n():
    rng = np.random.default_rng(0)
    variances = []
    for n in (50, 500):
        labels = np.repeat([1, 0], n)
        scores = np.concatenate([rng.normal(0.5, 1, n), rng.normal(0, 1, n)])
        scores[:5] = scores[n : n + 5]  # ties
        auc, variance = delong(labels, scores)
        assert abs(auc - roc_auc_score(labels, scores)) < 1e-12
        variances.append(variance)
    # Variance falls roughly as 1/n: ten times the data, about a tenth of the variance.
    assert 0.05 < variances[1] / variances[0] < 0.2


def test_identical_sets_are_indistinguishable():
    same = texts(200, seed=3)
    result = two_sample_test(same, list(same), seed=0)
    assert result["auc"] == 0.5
    assert result["detection_score"] == 1.0


def test_two_samples_of_one_distribution_have_auc_near_half():
    # The templated corpus puts near-twins in both sets; cross-validation then leans slightly
    # below 0.5 (a twin learnt with the other label), which the detection score treats as 0.5.
    result = two_sample_test(texts(300, seed=1), texts(300, seed=2), seed=0)
    assert abs(result["auc"] - 0.5) < 0.1
    low, high = result["auc_ci95"]
    assert low < result["auc"] < high and high - low < 0.15
    assert result["detection_score"] > 0.8


def test_a_tell_tale_phrase_is_caught_and_named():
    synthetic = texts(200, seed=1, prefix="As an avid smartphone enthusiast,")
    result = two_sample_test(synthetic, texts(200, seed=2), seed=0)
    assert result["auc"] > 0.95
    assert result["detection_score"] < 0.1
    top_words = [g["ngram"] for g in result["giveaways"]["word"][:5]]
    assert {"avid", "enthusiast", "smartphone enthusiast", "as an"} & set(top_words)
    first = result["giveaways"]["word"][0]
    assert first["synthetic_share"] == 1.0 and first["real_share"] == 0.0


def test_bigger_set_is_subsampled_to_the_smaller():
    result = two_sample_test(texts(60, seed=1), texts(400, seed=2), seed=0)
    assert result["n_per_set"] == 60


def test_too_few_reviews_is_not_enough_data():
    result = two_sample_test(texts(10, seed=1), texts(300, seed=2), seed=0)
    assert result["status"] == "not_enough_data"
    assert "25" in result["reason"]


def test_folds_are_stratified_and_keep_equal_texts_together():
    docs = texts(150, seed=1)
    pooled = docs + [d.upper() for d in docs[:50]] + texts(100, seed=2)
    labels = np.array([1] * 150 + [0] * 150)
    folds = assign_folds(pooled, labels, 5, seed=0)
    for i in range(50):  # a text and its upper-case twin land in the same fold
        assert folds[i] == folds[150 + i]
    for fold in range(5):
        share = labels[folds == fold].mean()
        assert abs(share - 0.5) < 0.05
        assert abs((folds == fold).sum() - 60) <= 2


def test_long_reviews_are_classified_within_a_character_budget(monkeypatch):
    monkeypatch.setattr("reviewgen.evaluation.realism.MAX_CHARACTERS", 20_000)
    synthetic, real = texts(200, seed=1), texts(200, seed=2)
    result = two_sample_test(synthetic, real, seed=0)
    average = (sum(map(len, synthetic)) + sum(map(len, real))) / 400
    assert result["n_per_set"] == int(200 * 20_000 // (400 * average))
    assert abs(result["auc"] - 0.5) < 0.15


def test_small_sets_average_several_draws_and_large_ones_take_one():
    assert draws_for(200) == 5 and draws_for(500) == 2 and draws_for(10_000) == 1
    synthetic = texts(200, seed=1, prefix="Honestly,")
    result = two_sample_test(synthetic, texts(600, seed=2), seed=0)
    assert result["draws"] == 5 and len(set(result["draw_aucs"])) > 1
    assert abs(result["auc"] - np.mean(result["draw_aucs"])) < 1e-3
    single = two_sample_test(synthetic, texts(600, seed=2), seed=0, draws=1)
    assert single["draw_aucs"] == result["draw_aucs"][:1]
