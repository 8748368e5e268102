from reviewgen.evaluation.phrases import PHRASES, compare_phrases
from reviewgen.evaluation.scorecard import CHECKS
from tests.evaluation.corpus import make_reviews


def texts(n: int, seed: int, prefix: str = "") -> list[str]:
    return [r.text for r in make_reviews(n, seed, prefix=prefix)]


def test_stock_phrases_are_counted_against_the_real_rate():
    stuffed = texts(200, 1, prefix="Overall, I must say it exceeded my expectations.")
    result = compare_phrases(stuffed, texts(200, 2))
    assert result["ratio"] > 2.0
    assert {t["phrase"] for t in result["top"][:3]} == {
        "overall",
        "i must say",
        "exceeded my expectations",
    }
    top = result["top"][0]
    assert top["synthetic_per_1k_words"] > top["real_per_1k_words"]
    check = next(c for c in CHECKS if c.metric == "assistant_phrase_ratio")
    assert check.status(result["ratio"]) == "fail"


def test_the_same_distribution_has_a_ratio_near_one_and_all_real_text_counts():
    result = compare_phrases(texts(150, 1), texts(450, 2))
    assert 0.7 < result["ratio"] < 1.3
    assert result["n"] == {"synthetic": 150, "real": 450}  # a rate per word: no subsample


def test_phrases_match_whole_words_only_and_curly_apostrophes():
    result = compare_phrases(
        ["Overalls are clothes. It’s worth noting the price."] * 30,
        ["Nothing to see here at all."] * 30,
    )
    assert [t["phrase"] for t in result["top"]] == ["it's worth noting"]
    assert result["ratio"] is None  # no real hits: no ratio


def test_too_few_reviews():
    assert compare_phrases(texts(5, 1), texts(100, 2))["status"] == "not_enough_data"
    assert len(set(PHRASES)) == len(PHRASES)
