import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from reviewgen.evaluation.detectors.crossval import assign_folds, delong, draws_for
from reviewgen.evaluation.realism import TRAINED, trained_families, with_headline
from tests.evaluation.corpus import make_formal_reviews, make_reviews

FAMILIES = [family.name for family in TRAINED]


def texts(n: int, seed: int, prefix: str = "") -> list[str]:
    return [r.text for r in make_reviews(n, seed, prefix=prefix)]


@pytest.fixture(scope="module")
def same() -> dict:
    return trained_families(texts(300, seed=1), texts(300, seed=2), seed=0)


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


def test_identical_sets_are_indistinguishable_to_every_family():
    result = trained_families(texts(200, seed=3), texts(200, seed=3), seed=0)
    for name in FAMILIES:
        assert result["families"][name]["auc"] == 0.5, name


@pytest.mark.parametrize("name", FAMILIES)
def test_two_samples_of_one_distribution_have_auc_near_half(same, name):
    # The templated corpus puts near-twins in both sets; cross-validation then leans slightly
    # below 0.5 (a twin learnt with the other label).
    family = same["families"][name]
    assert abs(family["auc"] - 0.5) < 0.1
    low, high = family["auc_ci95"]
    assert low < family["auc"] < high and high - low < 0.15


def test_every_family_separates_another_register():
    result = trained_families(
        [r.text for r in make_formal_reviews(200, 1)], texts(200, seed=2), seed=0, draws=1
    )
    for name in FAMILIES:
        assert result["families"][name]["auc"] > 0.95, name


def test_the_worst_family_is_the_headline_and_style_is_named():
    # Lowercased copies of the corpus: invisible to the lexical families (they lowercase),
    # obvious to the stylometric one. A generator filtered by a lexical detector alone would
    # look indistinguishable.
    synthetic = [t.lower() for t in texts(200, seed=1)]
    trained = trained_families(synthetic, texts(200, seed=2), seed=0, draws=1)
    section = with_headline(trained, {"status": "skipped", "reason": "off"})
    families = section["families"]
    assert families["tfidf_lr"]["auc"] < 0.65 and families["naive_bayes"]["auc"] < 0.65
    assert families["stylometric"]["auc"] > 0.95
    assert section["family_worst"] == "stylometric"
    assert section["auc"] == families["stylometric"]["auc"]
    top = families["stylometric"]["largest_differences"][0]
    assert top["feature"] == "capitals_share" and top["synthetic_mean"] == 0.0


def test_headline_takes_the_highest_auc_among_families_that_ran():
    trained = {
        "status": "ok",
        "n_per_set": 100,
        "folds": 5,
        "draws": 1,
        "families": {
            "tfidf_lr": {"status": "ok", "auc": 0.71, "auc_ci95": [0.6, 0.8]},
            "naive_bayes": {"status": "not_enough_data", "reason": "x"},
        },
    }
    zero = {"status": "ok", "auc": 0.83, "auc_ci95": [0.78, 0.88]}
    section = with_headline(trained, zero)
    assert section["family_worst"] == "zero_shot" and section["auc"] == 0.83
    assert section["detection_score"] == pytest.approx(0.34)
    skipped = with_headline(trained, {"status": "skipped", "reason": "off"})
    assert skipped["family_worst"] == "tfidf_lr" and skipped["auc"] == 0.71


def test_a_tell_tale_phrase_is_caught_and_named():
    synthetic = texts(200, seed=1, prefix="As an avid smartphone enthusiast,")
    result = trained_families(synthetic, texts(200, seed=2), seed=0)
    tfidf = result["families"]["tfidf_lr"]
    assert tfidf["auc"] > 0.95
    top_words = [g["ngram"] for g in tfidf["giveaways"]["word"][:5]]
    assert {"avid", "enthusiast", "smartphone enthusiast", "as an"} & set(top_words)
    first = tfidf["giveaways"]["word"][0]
    assert first["synthetic_share"] == 1.0 and first["real_share"] == 0.0


def test_bigger_set_is_subsampled_to_the_smaller():
    result = trained_families(texts(60, seed=1), texts(400, seed=2), seed=0)
    assert result["n_per_set"] == 60


def test_too_few_reviews_is_not_enough_data():
    result = trained_families(texts(10, seed=1), texts(300, seed=2), seed=0)
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
    monkeypatch.setattr("reviewgen.evaluation.detectors.crossval.MAX_CHARACTERS", 20_000)
    synthetic, real = texts(200, seed=1), texts(200, seed=2)
    result = trained_families(synthetic, real, seed=0, draws=1)
    average = (sum(map(len, synthetic)) + sum(map(len, real))) / 400
    assert result["n_per_set"] == int(200 * 20_000 // (400 * average))
    assert abs(result["families"]["tfidf_lr"]["auc"] - 0.5) < 0.15


def test_small_sets_average_several_draws_and_large_ones_take_one():
    assert draws_for(200) == 5 and draws_for(500) == 2 and draws_for(10_000) == 1
    synthetic = texts(200, seed=1, prefix="Honestly,")
    result = trained_families(synthetic, texts(600, seed=2), seed=0)
    assert result["draws"] == 5
    for name in FAMILIES:
        family = result["families"][name]
        assert len(family["draw_aucs"]) == 5 and len(set(family["draw_aucs"])) > 1
        assert abs(family["auc"] - np.mean(family["draw_aucs"])) < 1e-3
    single = trained_families(synthetic, texts(600, seed=2), seed=0, draws=1)
    assert (
        single["families"]["tfidf_lr"]["draw_aucs"]
        == (result["families"]["tfidf_lr"]["draw_aucs"][:1])
    )
