"""Provider factories at the LangChain boundary: no network, keys never leak into outputs."""

from __future__ import annotations

import pytest

from reviewgen.core.config import ModelSpec
from reviewgen.core.errors import ProviderError
from reviewgen.models.fake import FakeChatModel
from reviewgen.models.providers import build_model
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

SECRET = "sk-test-SECRET-do-not-leak-1234567890"


def test_missing_keys_name_the_variable(monkeypatch):
    for variable in ("OPENAI_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ProviderError, match="set OPENAI_API_KEY"):
        build_model(ModelSpec(provider="openai", model="gpt-4.1-mini"))
    with pytest.raises(ProviderError, match="set GOOGLE_API_KEY or GEMINI_API_KEY"):
        build_model(ModelSpec(provider="google_genai", model="gemini-2.5-flash"))


def test_cloud_models_are_built_with_the_spec(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("GOOGLE_API_KEY", SECRET)
    openai = build_model(
        ModelSpec(provider="openai", model="gpt-4.1-mini", temperature=0.3, max_tokens=99)
    )
    assert (openai.model_name, openai.temperature, openai.max_tokens) == ("gpt-4.1-mini", 0.3, 99)
    assert openai.max_retries == 0  # retries belong to the pipeline
    gemini = build_model(ModelSpec(provider="google_genai", model="gemini-2.5-flash"))
    assert gemini.model.endswith("gemini-2.5-flash")
    ollama = build_model(
        ModelSpec(provider="ollama", model="llama3.2", base_url="http://127.0.0.1:9")
    )
    assert ollama.base_url == "http://127.0.0.1:9"
    compatible = build_model(ModelSpec(provider="openai", model="local", base_url="http://x/v1"))
    assert compatible.openai_api_base == "http://x/v1"


def test_local_model_errors_are_clear():
    with pytest.raises(ProviderError, match="neither a packaged model"):
        build_model(ModelSpec(provider="llamacpp", model="/nope/model.gguf"))


def test_api_keys_never_reach_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("GOOGLE_API_KEY", SECRET)
    real_build = build_model
    built = []

    def build_then_fake(spec, role="default"):
        built.append(real_build(spec, role=role))  # the real client, holding the key
        return FakeChatModel()

    monkeypatch.setattr("reviewgen.pipeline.build.build_model", build_then_fake)
    config = load_config(
        None,
        [
            "models.default.provider=openai",
            "models.default.model=gpt-x",
            "run.count=3",
            "store.threshold=0.95",
        ],
    )
    generate(config, tmp_path)
    assert built
    for path in tmp_path.iterdir():
        assert SECRET not in path.read_text(), path.name


def test_llama_load_notes_are_hidden_unless_loading_fails(capfd):
    # llama.cpp writes load-time notes to file descriptor 2 whatever its verbosity.
    import os

    from reviewgen.models.llamacpp import _load_notes_hidden

    with _load_notes_hidden():
        os.write(2, b"llama_kv_cache_iswa: using full-size SWA cache\n")
    assert capfd.readouterr().err == ""
    with pytest.raises(ValueError), _load_notes_hidden():
        os.write(2, b"gguf_init: invalid magic\n")
        raise ValueError("failed to load model")
    assert "invalid magic" in capfd.readouterr().err
    os.write(2, b"after\n")  # descriptor 2 is restored
    assert capfd.readouterr().err == "after\n"
