"""Provider name -> LangChain model. Chains only ever see LangChain Runnables.

A provider is a component like any other (``reviewgen.core.registry``): a class with a
``Params`` model for its ``options``, the environment variables it reads keys from (so they are
redacted), its capabilities, and ``build(spec, options)``. Optional packages and API keys are
checked here, so a missing one is a one-line message naming the extra or the variable.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, ClassVar

from langchain_core.language_models import BaseLanguageModel
from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.config import ModelSpec
from reviewgen.core.errors import ProviderError
from reviewgen.core.registry import Component, providers


class Provider(Component):
    """Base class of a provider: declare ``Params``, ``key_variables`` and ``capabilities``."""

    # Environment variables the provider reads an API key from; their values are redacted.
    key_variables: ClassVar[tuple[str, ...]] = ()
    # Subset of: chat, completion, structured_output, embeddings.
    capabilities: ClassVar[frozenset[str]] = frozenset({"chat", "structured_output"})

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        raise NotImplementedError

    def embeddings(self, model: str) -> Any:
        """A LangChain ``Embeddings`` for the provider's embeddings API."""
        raise ProviderError(f"provider {self.registered_name!r} has no embeddings API")


class ClientOptions(BaseModel):
    """Options of a cloud client: forwarded as keyword arguments; a typo is an error."""

    model_config = ConfigDict(extra="forbid")

    stop: list[str] | None = None
    seed: int | None = None


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


def _given(options: BaseModel) -> dict[str, Any]:
    return options.model_dump(exclude_unset=True)


@providers.register("llamacpp")
class LlamaCppProvider(Provider):
    """The embedded llama.cpp engine: a packaged model name or a GGUF path."""

    capabilities = frozenset({"chat", "completion"})

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")

        n_ctx: int = Field(2048, gt=0)
        repeat_penalty: float = Field(1.1, ge=1.0)
        parallel: int = Field(4, ge=1, le=64)  # sequences decoded together
        chat_template: str | None = None  # llama.cpp template name for a file without one

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
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
            **_given(options),
        )


@providers.register("fake")
class FakeProvider(Provider):
    """A scripted chat model for tests and offline trials (``reviewgen.models.fake``)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")

        responses: list[str] = Field(default_factory=list)
        latency: float = Field(0.0, ge=0)
        cycle: bool = False
        fail_every: int = Field(0, ge=0)

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        from reviewgen.models.fake import FakeChatModel

        return FakeChatModel(model_name=spec.model, **_given(options))


@providers.register("google_genai")
class GeminiProvider(Provider):
    key_variables = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
    capabilities = frozenset({"chat", "structured_output", "embeddings"})

    class Params(ClientOptions):
        top_k: int | None = Field(None, gt=0)
        thinking_budget: int | None = None
        safety_settings: dict[str, str] | None = None

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        from langchain_google_genai import ChatGoogleGenerativeAI  # a core dependency

        key = _require_key("google_genai", *self.key_variables)
        return ChatGoogleGenerativeAI(
            model=spec.model,
            google_api_key=key,
            temperature=spec.temperature,
            top_p=spec.top_p,
            max_output_tokens=spec.max_tokens,
            timeout=spec.timeout,
            max_retries=0,  # retries are the pipeline's job (backoff, budgets)
            **_given(options),
        )

    def embeddings(self, model: str) -> Any:
        from langchain_google_genai import GoogleGenerativeAIEmbeddings

        key = _require_key("google_genai", *self.key_variables)
        return GoogleGenerativeAIEmbeddings(model=model, google_api_key=key)


@providers.register("openai")
class OpenAIProvider(Provider):
    """OpenAI, or any OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio) by
    ``base_url``."""

    key_variables = ("OPENAI_API_KEY",)
    capabilities = frozenset({"chat", "structured_output", "embeddings"})

    class Params(ClientOptions):
        frequency_penalty: float | None = Field(None, ge=-2, le=2)
        presence_penalty: float | None = Field(None, ge=-2, le=2)
        organization: str | None = None
        default_headers: dict[str, str] | None = None

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        # An OpenAI-compatible server (base_url) may not check keys; the client still needs one.
        key = os.environ.get("OPENAI_API_KEY") or (
            "unused" if spec.base_url else _require_key("openai", *self.key_variables)
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
            **_given(options),
        )

    def embeddings(self, model: str) -> Any:
        key = _require_key("openai", *self.key_variables)
        return _import("langchain_openai", "openai", "openai").OpenAIEmbeddings(
            model=model, api_key=key
        )


@providers.register("ollama")
class OllamaProvider(Provider):
    capabilities = frozenset({"chat", "structured_output", "embeddings"})

    class Params(ClientOptions):
        num_ctx: int | None = Field(None, gt=0)
        top_k: int | None = Field(None, gt=0)
        keep_alive: str | None = None

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        module = _import("langchain_ollama", "ollama", "ollama")
        return module.ChatOllama(
            model=spec.model,
            base_url=spec.base_url or "http://localhost:11434",
            temperature=spec.temperature,
            top_p=spec.top_p,
            num_predict=spec.max_tokens,
            **_given(options),
        )

    def embeddings(self, model: str) -> Any:
        return _import("langchain_ollama", "ollama", "ollama").OllamaEmbeddings(model=model)


def build_model(spec: ModelSpec, *, role: str = "default") -> BaseLanguageModel:
    provider = providers.get(spec.provider, where=f"models.{role}.provider")
    options = providers.params(
        spec.provider,
        spec.options,
        name_at=f"models.{role}.provider",
        params_at=f"models.{role}.options",
    )
    return provider().build(spec, options)


def is_chat(model: BaseLanguageModel) -> bool:
    return isinstance(model, BaseChatModel)


def build_embeddings(provider: str, model: str) -> Any:
    """A LangChain ``Embeddings`` for the provider's embeddings API (semantic duplicates)."""
    cls = providers.get(provider, where="store.embedder.params.provider")
    if "embeddings" not in cls.capabilities:
        able = [n for n, c in providers.items().items() if "embeddings" in c.capabilities]
        raise ProviderError(
            f"provider {provider!r} has no embeddings API here; valid choices: {', '.join(able)}"
        )
    return cls().embeddings(model)
