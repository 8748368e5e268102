"""The zero-shot detector: its criterion on made-up distributions, its skip path, and one small
integration test on the real SmolLM2 file (skipped when that model is not installed)."""

import numpy as np
import pytest

from reviewgen.evaluation.detectors import zero_shot
from reviewgen.evaluation.detectors.zero_shot import criterion, locate, zero_shot_test
from tests.evaluation.corpus import make_formal_reviews, make_reviews

VOCAB = 50


def peaked_logits(rng: np.random.Generator, n: int) -> np.ndarray:
    logits = rng.normal(0, 1, (n, VOCAB))
    logits[:, 0] += 4.0  # the model expects token 0 everywhere
    return logits


def test_typical_tokens_score_higher_than_unlikely_ones():
    rng = np.random.default_rng(0)
    logits = peaked_logits(rng, 40)
    typical = [0] * 41  # the model's favourite at every position
    unlikely = [0, *rng.integers(1, VOCAB, 40)]
    assert criterion(logits, typical) > 2 > -2 > criterion(logits, unlikely)


def test_sampled_tokens_score_near_zero():
    # Text drawn from the model's own distribution sits at the criterion's mean.
    rng = np.random.default_rng(1)
    scores = []
    for _ in range(200):
        logits = peaked_logits(rng, 30)
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        tokens = [0] + [int(rng.choice(VOCAB, p=row)) for row in p]
        scores.append(criterion(logits, tokens))
    assert abs(np.mean(scores)) < 0.2 and 0.8 < np.std(scores) < 1.2


def test_a_one_token_text_scores_zero():
    assert criterion(np.zeros((1, VOCAB)), [3]) == 0.0


def test_an_unknown_model_is_skipped_with_the_reason():
    texts = [r.text for r in make_reviews(30, 1)]
    result = zero_shot_test(texts, texts, model="no-such-model")
    assert result["status"] == "skipped"
    assert "no-such-model" in result["reason"] and result["model"] == "no-such-model"


SMOLLM2 = "smollm2-135m-instruct"
needs_model = pytest.mark.skipif(
    locate(SMOLLM2)[0] is None, reason=f"{SMOLLM2} is not installed: {locate(SMOLLM2)[1]}"
)


@pytest.mark.integration
@needs_model
def test_smollm2_scores_fluent_text_above_its_shuffled_words():
    from reviewgen.models.llama_engine import LlamaScorer

    scorer = LlamaScorer(str(locate(SMOLLM2)[0]), n_ctx=64)
    try:
        fluent = "I bought this phone last month and the battery lasts all day."
        words = fluent.split()
        shuffled = " ".join(np.random.default_rng(0).permutation(words))
        ids = scorer.tokens(fluent)
        logits = scorer.logits(ids)
        assert logits.shape == (len(ids), scorer.n_vocab) and np.isfinite(logits).all()
        assert criterion(logits, ids) > criterion(scorer.logits(s := scorer.tokens(shuffled)), s)
        assert len(scorer.tokens(fluent * 20)) == 64  # cut to the context
    finally:
        scorer.close()


@pytest.mark.integration
@needs_model
def test_zero_shot_test_runs_on_the_real_model(monkeypatch):
    monkeypatch.setattr(zero_shot, "MIN_PER_SET", 4)
    synthetic = [r.text for r in make_formal_reviews(4, 1)]
    real = [r.text for r in make_reviews(4, 2)]
    result = zero_shot_test(synthetic, real, model=SMOLLM2, max_per_set=4)
    assert result["status"] == "ok" and result["n_per_set"] == 4
    assert result["model"] == SMOLLM2 and result["file"].endswith(".gguf")
    assert 0.5 <= result["auc"] <= 1.0 and result["seconds_per_text"] > 0
