"""Provider name -> LangChain model. Chains only ever see LangChain Runnables.

A provider is a component like any other (``reviewgen.core.registry``): a class with a
``Params`` model for its ``options``, the environment variables it reads keys from (so they are
redacted), its capabilities, and ``build(spec, options)``. Optional packages and API keys are
checked here, so a missing one is a one-line message naming the extra or the variable.

A provider also says how to read its failures (``errors``: which are transient, which mean the
prompt did not fit; ``core.retry`` applies them), how to ask a server which models it serves
before a run starts (``listing_url``/``read_listing``/``serves``, used by
``pipeline.preflight``) and what context window to assume when neither the config nor the
server says (``default_context_window``).
"""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import PurePosixPath
from typing import Any, ClassVar, Literal

from langchain_core.language_models import BaseLanguageModel
from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.config import ModelSpec
from reviewgen.core.errors import ProviderError
from reviewgen.core.registry import Component, providers
from reviewgen.core.retry import ErrorRules, seconds_from_json

# A context window to assume for a model nothing describes: what small local servers commonly
# run (llama.cpp's n_ctx, Ollama's num_ctx), so a chat writer's prompt fits them.
SAFE_CONTEXT_WINDOW = 2048


class Provider(Component):
    """Base class of a provider: declare ``Params``, ``key_variables`` and ``capabilities``."""

    # Environment variables the provider reads an API key from; their values are redacted.
    key_variables: ClassVar[tuple[str, ...]] = ()
    # Subset of: chat, completion, structured_output, embeddings, adapters (LoRA files).
    capabilities: ClassVar[frozenset[str]] = frozenset({"chat", "structured_output"})
    # How the provider's client reports failures (core.retry.ErrorRules).
    errors: ClassVar[ErrorRules] = ErrorRules()

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        raise NotImplementedError

    def embeddings(self, model: str) -> Any:
        """A LangChain ``Embeddings`` for the provider's embeddings API."""
        raise ProviderError(f"provider {self.registered_name!r} has no embeddings API")

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        """Tokens of prompt plus answer to assume when the config and the server are silent."""
        return SAFE_CONTEXT_WINDOW

    def listing_url(self, spec: ModelSpec) -> str | None:
        """A cheap GET that lists the models a server serves; None: nothing to check."""
        return None

    def read_listing(self, body: Any) -> dict[str, int | None]:
        """Model id -> the context window the server reports for it (None: not reported)."""
        raise NotImplementedError

    def serves(self, served: dict[str, int | None], model: str) -> str | None:
        """The id in ``served`` that ``model`` names, or None."""
        return model if model in served else None


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

    capabilities = frozenset({"chat", "completion", "adapters"})
    # The engine raises PromptTooLong itself (an overflow for every provider).

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")

        n_ctx: int = Field(2048, gt=0)
        repeat_penalty: float = Field(1.1, ge=1.0)
        parallel: int = Field(4, ge=1, le=64)  # sequences decoded together
        chat_template: str | None = None  # llama.cpp template name for a file without one

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        from reviewgen.models.llamacpp import (
            LlamaCppChat,
            LlamaCppCompletion,
            resolve_adapter,
            resolve_model,
        )

        path, default_mode = resolve_model(spec.model)
        mode = default_mode if spec.mode == "auto" else spec.mode
        cls = LlamaCppChat if mode == "chat" else LlamaCppCompletion
        return cls(
            model_path=str(path),
            model_name=spec.model,
            temperature=spec.temperature,
            top_p=spec.top_p,
            max_tokens=spec.max_tokens,
            adapter=None if spec.adapter is None else str(resolve_adapter(spec.adapter)),
            **_given(options),
        )

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        return options.n_ctx  # type: ignore[attr-defined]


@providers.register("fake")
class FakeProvider(Provider):
    """A scripted chat model for tests and offline trials (``reviewgen.models.fake``)."""

    errors = ErrorRules(transient_names=frozenset({"TransientFakeError"}))

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")

        responses: list[str] = Field(default_factory=list)
        latency: float = Field(0.0, ge=0)
        cycle: bool = False
        fail_every: int = Field(0, ge=0)

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        from reviewgen.models.fake import FakeChatModel

        return FakeChatModel(model_name=spec.model, **_given(options))

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        return None  # answers without a prompt to fit


def _gemini_retry_delay(exc: BaseException) -> float | None:
    """Gemini says how long to wait in the error body (google.rpc.RetryInfo ``retryDelay``)."""
    details = getattr(exc, "details", None)
    return None if details is None else seconds_from_json(details)


@providers.register("google_genai")
class GeminiProvider(Provider):
    """Google's Gemini API; ``base_url`` reaches it through a gateway."""

    key_variables = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
    capabilities = frozenset({"chat", "structured_output", "embeddings"})
    # langchain-google-genai raises GoogleRateLimitError (429) without a status code, and
    # GoogleAPIError (a google.genai ServerError) for 5xx; the SDK's own ClientError/ServerError
    # carry ``code``. An overflow reads "The input token count (N) exceeds the maximum number
    # of tokens allowed (M)".
    errors = ErrorRules(
        transient_names=frozenset({"GoogleRateLimitError", "ServerError", "GoogleAPIError"}),
        overflow_phrases=("exceeds the maximum number of tokens allowed",),
        retry_hint=_gemini_retry_delay,
    )

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
            **({"base_url": spec.base_url} if spec.base_url else {}),
            **_given(options),
        )

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        return 1_048_576  # every Gemini 2.x/3 text model takes 1M input tokens

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
    # The openai SDK's types (langchain-openai subclasses them); a body cut off or garbled on
    # the way is an APIResponseValidationError or a JSONDecodeError, as transient as a dropped
    # connection. An overflow: code context_length_exceeded, "This model's maximum context
    # length is N tokens" (OpenAI, vLLM, llama.cpp's server).
    errors = ErrorRules(
        transient_names=frozenset(
            {
                "RateLimitError",
                "APITimeoutError",
                "APIConnectionError",
                "InternalServerError",
                "APIResponseValidationError",
                "JSONDecodeError",
            }
        ),
        overflow_phrases=("context_length_exceeded", "maximum context length"),
    )

    class Params(ClientOptions):
        frequency_penalty: float | None = Field(None, ge=-2, le=2)
        presence_penalty: float | None = Field(None, ge=-2, le=2)
        organization: str | None = None
        default_headers: dict[str, str] | None = None
        # How structured output (judge, backstory) is asked for. OpenAI's default json_schema
        # is ignored by llama.cpp's server; function_calling works there (a grammar).
        structured_output: Literal["json_schema", "function_calling", "json_mode"] | None = None

    def build(self, spec: ModelSpec, options: BaseModel) -> BaseLanguageModel:
        # An OpenAI-compatible server (base_url) may not check keys; the client still needs one.
        key = os.environ.get("OPENAI_API_KEY") or (
            "unused" if spec.base_url else _require_key("openai", *self.key_variables)
        )
        module = _import("langchain_openai", "openai", "openai")
        given = _given(options)
        method = given.pop("structured_output", None)
        cls = _structured_by(module.ChatOpenAI, method) if method else module.ChatOpenAI
        if spec.base_url:
            # langchain-openai sends the cap as max_completion_tokens, which llama.cpp's server
            # ignores: it then writes until its context is full. Compatible servers know this.
            given["extra_body"] = {"max_tokens": spec.max_tokens}
        sdk = _import("openai", "openai", "openai")
        return cls(
            model=spec.model,
            api_key=key,
            base_url=spec.base_url,
            temperature=spec.temperature,
            top_p=spec.top_p,
            max_tokens=spec.max_tokens,
            timeout=spec.timeout,
            max_retries=0,
            # Clients of this model's own: langchain-openai shares one per base URL and timeout
            # across the process, and its connections stay bound to the event loop of the run
            # that opened them ("Event loop is closed" in the next run).
            http_client=sdk.DefaultHttpxClient(timeout=spec.timeout),
            http_async_client=sdk.DefaultAsyncHttpxClient(timeout=spec.timeout),
            **given,
        )

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        # OpenAI's own models take 128k tokens or more; a compatible server is often a small
        # local one, which /v1/models may not describe (llama.cpp's server does not).
        return SAFE_CONTEXT_WINDOW if spec.base_url else 128_000

    def listing_url(self, spec: ModelSpec) -> str | None:
        return f"{spec.base_url.rstrip('/')}/models" if spec.base_url else None

    def read_listing(self, body: Any) -> dict[str, int | None]:
        served = {}
        for item in body["data"]:
            window = item.get("max_model_len") or item.get("context_length")  # vLLM, others
            served[str(item["id"])] = int(window) if isinstance(window, int | float) else None
        return served

    def serves(self, served: dict[str, int | None], model: str) -> str | None:
        # llama.cpp's servers list the model file's path unless started with an alias.
        for served_id in served:
            name = PurePosixPath(served_id).name
            if model in (served_id, name, name.removesuffix(".gguf")):
                return served_id
        return None

    def embeddings(self, model: str) -> Any:
        key = _require_key("openai", *self.key_variables)
        return _import("langchain_openai", "openai", "openai").OpenAIEmbeddings(
            model=model, api_key=key
        )


@functools.cache
def _structured_by(chat_class: type, method: str) -> type:
    """``chat_class`` asking for structured output by ``method`` unless told otherwise."""

    def with_structured_output(self: Any, schema: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("method", method)
        return chat_class.with_structured_output(self, schema, **kwargs)

    return type(
        chat_class.__name__, (chat_class,), {"with_structured_output": with_structured_output}
    )


@providers.register("ollama")
class OllamaProvider(Provider):
    capabilities = frozenset({"chat", "structured_output", "embeddings"})
    # The ollama client raises ResponseError with status_code; httpx errors for the socket.
    # Ollama cuts a prompt longer than num_ctx silently: no overflow to read.
    errors = ErrorRules(
        transient_names=frozenset({"ConnectError", "ReadTimeout", "RemoteProtocolError"})
    )

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

    def default_context_window(self, spec: ModelSpec, options: BaseModel) -> int | None:
        return options.num_ctx or SAFE_CONTEXT_WINDOW  # type: ignore[attr-defined]

    def listing_url(self, spec: ModelSpec) -> str | None:
        return f"{(spec.base_url or 'http://localhost:11434').rstrip('/')}/api/tags"

    def read_listing(self, body: Any) -> dict[str, int | None]:
        return {str(item["name"]): None for item in body["models"]}

    def serves(self, served: dict[str, int | None], model: str) -> str | None:
        for name in (model, f"{model}:latest"):
            if name in served:
                return name
        return None

    def embeddings(self, model: str) -> Any:
        return _import("langchain_ollama", "ollama", "ollama").OllamaEmbeddings(model=model)


def provider_options(spec: ModelSpec, role: str = "default") -> tuple[Provider, BaseModel]:
    """The spec's provider and its validated ``options``."""
    provider = providers.get(spec.provider, where=f"models.{role}.provider")
    options = providers.params(
        spec.provider,
        spec.options,
        name_at=f"models.{role}.provider",
        params_at=f"models.{role}.options",
    )
    return provider(), options


def build_model(spec: ModelSpec, *, role: str = "default") -> BaseLanguageModel:
    provider, options = provider_options(spec, role)
    if spec.adapter is not None and "adapters" not in provider.capabilities:
        able = [n for n, c in providers.items().items() if "adapters" in c.capabilities]
        raise ProviderError(
            f"models.{role}.adapter: provider {spec.provider!r} cannot load a LoRA adapter; "
            f"valid choices: {', '.join(able)}"
        )
    return provider.build(spec, options)


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
