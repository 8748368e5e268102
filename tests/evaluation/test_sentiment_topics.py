from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.profile import profile_sets
from reviewgen.evaluation.sentiment import compare_sentiment
from reviewgen.evaluation.topics import compare_topics
from tests.evaluation.corpus import LEXICON, make_reviews


def sample(seed: int, n: int = 200, flip: bool = False) -> list[tuple[str, int | None]]:
    rows = make_reviews(n, seed)
    return [(r.text, 6 - r.rating if flip else r.rating) for r in rows]


def test_tone_agrees_with_stars_like_the_real_set():
    result = compare_sentiment(sample(1), sample(2))
    agreement = result["agreement"]
    assert agreement["synthetic"] > 0.75 and agreement["real"] > 0.75
    assert agreement["gap"] < 0.05
    by = result["by_rating"]
    assert by["synthetic"]["5"]["mean"] > 0.3 and by["synthetic"]["1"]["mean"] < 0
    for star in ("1", "5"):  # the big groups; 3 stars has ~20 mixed reviews and is noisy
        assert abs(by["synthetic"][star]["mean"] - by["real"][star]["mean"]) < 0.1
    assert by["max_gap"] >= abs(by["synthetic"]["3"]["mean"] - by["real"]["3"]["mean"]) - 1e-4


def test_stars_that_contradict_the_text_are_caught():
    result = compare_sentiment(sample(1, flip=True), sample(2))
    assert result["agreement"]["synthetic"] < 0.2
    assert result["agreement"]["gap"] > 0.6
    assert result["by_rating"]["synthetic"]["5"]["mean"] < 0


def test_without_ratings_only_the_overall_tone_is_compared():
    unrated = [(text, None) for text, _ in sample(1)]
    result = compare_sentiment(unrated, sample(2))
    assert result["status"] == "ok"
    assert result["by_rating"]["status"] == "not_enough_data"
    assert result["agreement"]["status"] == "not_enough_data"
    assert result["mean_compound"]["synthetic"] is not None


def test_topic_shares_and_gaps():
    battery_only = make_reviews(100, 1, prefix="The battery died.")
    profiles = profile_sets(
        battery_only, make_reviews(300, 2), [], EvaluationOptions(aspects=LEXICON, workers=1)
    )
    result = compare_topics(profiles["synthetic"], profiles["reference"], list(LEXICON))
    battery = result["aspects"]["battery"]
    assert battery["synthetic"] == 1.0
    assert 0.2 < battery["real"] < 0.8
    assert result["max_abs_gap"] == round(1.0 - battery["real"], 4)
    no_lexicon = compare_topics(profiles["synthetic"], profiles["reference"], [])
    assert no_lexicon["status"] == "not_enough_data"


def test_agreeing_more_often_than_real_reviews_is_a_gap_too():
    # Every star matches its tone: agreement 1.0, above the real set's own (about 0.84).
    clear = [("Love it, great phone, wonderful camera.", 5)] * 80
    clear += [("Terrible, awful, broken and useless.", 1)] * 40
    result = compare_sentiment(clear, sample(2))
    agreement = result["agreement"]
    assert agreement["synthetic"] == 1.0 and agreement["real"] < 0.9
    assert agreement["gap"] == round(1.0 - agreement["real"], 4) > 0.1
