"""Provider name -> LangChain model. Chains only ever see LangChain Runnables.

Each factory takes a ``ModelSpec`` and returns a chat model or a completion LLM; the writer
picks its prompt style from which one it gets. Optional packages and API keys are checked
here, so a missing one is a one-line message naming the extra or the variable.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.language_models.chat_models import BaseChatModel

from reviewgen.config import ModelSpec
from reviewgen.errors import ProviderError
from reviewgen.registry import providers

# Every environment variable a built-in provider reads an API key from.
KEY_VARIABLES = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY")


def redact(text: str) -> str:
    """``text`` with every API key value from the environment replaced by its variable's name.

    Provider errors can quote the request back (an OpenAI-compatible server answering 401 with
    "Incorrect API key provided: ..."); anything written to a file or the terminal from such
    an error goes through this first.
    """
    for variable in KEY_VARIABLES:
        value = os.environ.get(variable, "")
        if len(value) >= 8:  # a shorter value is no real key and would mangle ordinary text
            text = text.replace(value, f"[{variable}]")
    return text


def _require_key(provider: str, *variables: str) -> str:
    for variable in variables:
        if os.environ.get(variable):
            return os.environ[variable]
    raise ProviderError(
        f"provider {provider} needs an API key: set {' or '.join(variables)} in the environment"
    )


def _import(module: str, extra: str, provider: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ProviderError(
            f"provider {provider} needs {module.replace('_', '-')}: "
            f"pip install 'reviewgen[{extra}]'"
        ) from None


@providers.register("llamacpp")
def llamacpp(spec: ModelSpec) -> BaseLanguageModel:
    from reviewgen.models.llamacpp import LlamaCppChat, LlamaCppCompletion, resolve_model

    path, default_mode = resolve_model(spec.model)
    mode = default_mode if spec.mode == "auto" else spec.mode
    cls = LlamaCppChat if mode == "chat" else LlamaCppCompletion
    return cls(
        model_path=str(path),
        model_name=spec.model,
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_tokens=spec.max_tokens,
        **spec.options,
    )


@providers.register("fake")
def fake(spec: ModelSpec) -> BaseLanguageModel:
    from reviewgen.models.fake import FakeChatModel

    return FakeChatModel(model_name=spec.model, **spec.options)


@providers.register("google_genai")
def google_genai(spec: ModelSpec) -> BaseLanguageModel:
    key = _require_key("google_genai", "GOOGLE_API_KEY", "GEMINI_API_KEY")
    module = _import("langchain_google_genai", "gemini", "google_genai")
    return module.ChatGoogleGenerativeAI(
        model=spec.model,
        google_api_key=key,
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_output_tokens=spec.max_tokens,
        timeout=spec.timeout,
        max_retries=0,  # retries are the pipeline's job (backoff, budgets)
        **spec.options,
    )


@providers.register("openai")
def openai(spec: ModelSpec) -> BaseLanguageModel:
    # An OpenAI-compatible server (base_url) may not check keys; the client still needs one.
    key = os.environ.get("OPENAI_API_KEY") or (
        "unused" if spec.base_url else _require_key("openai", "OPENAI_API_KEY")
    )
    module = _import("langchain_openai", "openai", "openai")
    return module.ChatOpenAI(
        model=spec.model,
        api_key=key,
        base_url=spec.base_url,
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_tokens=spec.max_tokens,
        timeout=spec.timeout,
        max_retries=0,
        **spec.options,
    )


@providers.register("ollama")
def ollama(spec: ModelSpec) -> BaseLanguageModel:
    module = _import("langchain_ollama", "ollama", "ollama")
    return module.ChatOllama(
        model=spec.model,
        base_url=spec.base_url or "http://localhost:11434",
        temperature=spec.temperature,
        top_p=spec.top_p,
        num_predict=spec.max_tokens,
        **spec.options,
    )


def build_model(spec: ModelSpec) -> BaseLanguageModel:
    factory = providers.get(spec.provider, where="models.provider")
    return factory(spec)


def is_chat(model: BaseLanguageModel) -> bool:
    return isinstance(model, BaseChatModel)


def build_embeddings(provider: str, model: str) -> Any:
    """A LangChain ``Embeddings`` for the provider's embeddings API (semantic duplicates)."""
    if provider == "openai":
        key = _require_key("openai", "OPENAI_API_KEY")
        return _import("langchain_openai", "openai", "openai").OpenAIEmbeddings(
            model=model, api_key=key
        )
    if provider == "google_genai":
        key = _require_key("google_genai", "GOOGLE_API_KEY", "GEMINI_API_KEY")
        module = _import("langchain_google_genai", "gemini", "google_genai")
        return module.GoogleGenerativeAIEmbeddings(model=model, google_api_key=key)
    if provider == "ollama":
        return _import("langchain_ollama", "ollama", "ollama").OllamaEmbeddings(model=model)
    raise ProviderError(
        f"provider {provider!r} has no embeddings API here; "
        "valid choices: openai, google_genai, ollama"
    )
