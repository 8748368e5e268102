"""Token-level generation on llama.cpp: several sequences decoded together, sampled natively.

llama-cpp-python's ``create_completion`` runs one sequence at a time and applies a logit bias
through a Python callback on every token. Here one worker thread drives one llama.cpp context
with several *slots* (sequences): each step decodes the next token of every running sequence
together with pending prompt chunks in a single ``llama_decode``, so the model's weights (and
Gemma's 262k-row output layer) are read once for all of them, then samples each sequence with
llama.cpp's own sampler chain. A slot keeps its evaluated tokens, and a request goes to the free
slot sharing the longest prefix with its prompt: a completion-style revision (the same prompt
sampled again) costs only its generation.

Callers block on, or await, a ``concurrent.futures.Future``; llama.cpp releases the GIL while
decoding, so the asyncio pipeline keeps running.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reviewgen.core.errors import PromptTooLong, ProviderError

N_BATCH = 512
PENALTY_LAST_N = 64  # llama-cpp-python's window for the repeat penalty (same tokens as it)
TOP_K = 40
MIN_P = 0.05


@dataclass(frozen=True)
class Sampling:
    max_tokens: int
    temperature: float = 0.8
    top_p: float = 0.95
    repeat_penalty: float = 1.1
    stop: Sequence[str] = ()
    seed: int | None = None
    logit_bias: dict[int, float] | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (end token or stop string) or "length"


@dataclass
class _Request:
    tokens: list[int]
    sampling: Sampling
    future: Future[Completion]


@dataclass
class _Slot:
    seq: int
    cached: list[int] = field(default_factory=list)  # tokens whose KV the context holds
    request: _Request | None = None
    pending: list[int] = field(default_factory=list)  # prompt tokens still to evaluate
    next_token: int | None = None  # sampled, to be decoded in the next step
    sampler: Any = None
    out: bytearray = field(default_factory=bytearray)
    generated: int = 0


class LlamaEngine:
    """One model file, one context of ``slots`` sequences of ``n_ctx`` tokens each."""

    def __init__(
        self, model_path: str, *, n_ctx: int, slots: int, threads: int, adapter: str | None = None
    ) -> None:
        import llama_cpp

        self._ll = llama_cpp
        self._model = _load_model(llama_cpp, model_path)
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._ctx = _context(
            llama_cpp,
            self._model,
            n_ctx=n_ctx * slots,
            n_batch=N_BATCH,
            seqs=slots,
            threads=threads,
        )
        if adapter is not None:
            try:
                _attach_adapter(llama_cpp, self._model, self._ctx, adapter)
            except ProviderError:
                llama_cpp.llama_free(self._ctx)
                llama_cpp.llama_model_free(self._model)  # frees its adapters too
                raise
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self.n_ctx = n_ctx
        self._batch = llama_cpp.llama_batch_init(N_BATCH, 0, 1)
        self._slots = [_Slot(seq) for seq in range(slots)]
        self._queue: deque[_Request] = deque()
        self._wake = threading.Condition()
        self._closed = False
        self.evaluated = 0  # prompt tokens decoded (a reused prefix is not evaluated again)
        self._worker = threading.Thread(target=self._run, name="llama-engine", daemon=True)
        self._worker.start()

    # -- tokens ---------------------------------------------------------------------------

    def tokenize(self, text: str, *, add_bos: bool, special: bool) -> list[int]:
        """Thread-safe: tokenizing only reads the vocabulary."""
        return _tokenize(self._ll, self._vocab, text, add_bos=add_bos, special=special)

    def piece(self, token: int) -> bytes:
        buffer = ctypes.create_string_buffer(64)
        n = self._ll.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, False)
        if n < 0:
            buffer = ctypes.create_string_buffer(-n)
            n = self._ll.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, False)
        return buffer.raw[:n]

    def chat_prompt(self, messages: list[tuple[str, str]], template: str | None = None) -> str:
        """The conversation in the model's own chat template (or a llama.cpp template name
        such as ``chatml``), ready for the reply."""
        tmpl = (
            template.encode() if template else self._ll.llama_model_chat_template(self._model, None)
        )
        if tmpl is None:
            raise ProviderError("this model has no chat template: set its mode to completion")
        chat = (self._ll.llama_chat_message * len(messages))()
        keep = []  # the C strings must outlive the call
        for i, (role, content) in enumerate(messages):
            keep += [role.encode(), content.encode()]
            chat[i].role, chat[i].content = keep[-2], keep[-1]
        size = 4 * sum(len(c) for _, c in messages) + 512
        for _ in range(2):
            buffer = ctypes.create_string_buffer(size)
            n = self._ll.llama_chat_apply_template(tmpl, chat, len(messages), True, buffer, size)
            if n < 0:
                raise ProviderError("llama.cpp does not know this model's chat template")
            if n <= size:
                return buffer.raw[:n].decode("utf-8", errors="replace")
            size = n
        raise AssertionError("unreachable")

    # -- requests -------------------------------------------------------------------------

    def submit(self, prompt: str, sampling: Sampling) -> Future[Completion]:
        """Queue a completion; special tokens in ``prompt`` (a chat template's) are parsed."""
        future: Future[Completion] = Future()
        tokens = self.tokenize(prompt, add_bos=True, special=True)
        if len(tokens) + 1 >= self.n_ctx:
            future.set_exception(
                PromptTooLong(f"prompt of {len(tokens)} tokens does not fit n_ctx {self.n_ctx}")
            )
            return future
        with self._wake:
            if self._closed:
                future.set_exception(RuntimeError("the model was closed"))
                return future
            self._queue.append(_Request(tokens, sampling, future))
            self._wake.notify()
        return future

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._worker.join()
        for slot in self._slots:
            self._free_sampler(slot)
        self._ll.llama_batch_free(self._batch)
        self._ll.llama_free(self._ctx)
        self._ll.llama_model_free(self._model)

    # -- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and not self._queue and not self._busy():
                    self._wake.wait()
                if self._closed:
                    closed = RuntimeError("the model was closed")
                    for request in self._queue:
                        _fail(request, closed)
                    self._fail_running(closed)
                    return
            try:
                with self._wake:
                    self._assign()
                self._step()
            except Exception as exc:  # fails the running requests, never the engine
                self._fail_running(exc)

    def _busy(self) -> bool:
        return any(slot.request is not None for slot in self._slots)

    def _assign(self) -> None:
        while self._queue:
            free = [slot for slot in self._slots if slot.request is None]
            if not free:
                return
            request = self._queue.popleft()
            if request.future.cancelled():  # its caller timed out or was stopped
                continue
            shared, slot = max(
                ((_common_prefix(s.cached, request.tokens), s) for s in free),
                key=lambda pair: pair[0],
            )
            # Keep the shared prefix, but evaluate at least the last prompt token: its logits
            # give the first sample.
            keep = min(shared, len(request.tokens) - 1)
            self._ll.llama_memory_seq_rm(self._memory, slot.seq, keep, -1)
            slot.cached = request.tokens[:keep]
            slot.pending = request.tokens[keep:]
            slot.request, slot.next_token, slot.generated = request, None, 0
            slot.out = bytearray()
            self._free_sampler(slot)
            slot.sampler = self._sampler(request.sampling)

    def _step(self) -> None:
        batch, n = self._batch, 0
        sampled_at: list[tuple[_Slot, int]] = []

        def add(slot: _Slot, token: int, logits: bool) -> None:
            nonlocal n
            batch.token[n] = token
            batch.pos[n] = len(slot.cached)
            batch.n_seq_id[n] = 1
            batch.seq_id[n][0] = slot.seq
            batch.logits[n] = logits
            slot.cached.append(token)
            if logits:
                sampled_at.append((slot, n))
            n += 1

        running = [slot for slot in self._slots if slot.request is not None]
        for slot in running:  # running sequences first: one token each
            if slot.next_token is not None:
                add(slot, slot.next_token, True)
                slot.next_token = None
        for slot in running:  # then prompt chunks, as far as the batch goes
            room = max(N_BATCH - n, 0)
            chunk, slot.pending = slot.pending[:room], slot.pending[room:]
            for i, token in enumerate(chunk, 1):
                add(slot, token, not slot.pending and i == len(chunk))  # logits for the last
            self.evaluated += len(chunk)
        if n == 0:
            return
        batch.n_tokens = n
        if self._ll.llama_decode(self._ctx, batch) != 0:
            raise RuntimeError("llama_decode failed (context full?)")
        for slot, index in sampled_at:
            token = self._ll.llama_sampler_sample(slot.sampler, self._ctx, index)
            self._advance(slot, token)

    def _advance(self, slot: _Slot, token: int) -> None:
        request = slot.request
        assert request is not None
        sampling = request.sampling
        if request.future.cancelled():
            slot.request = None
            return
        if self._ll.llama_vocab_is_eog(self._vocab, token):
            self._finish(slot, slot.out.decode("utf-8", errors="ignore"), "stop")
            return
        slot.out += self.piece(token)
        slot.generated += 1
        text = slot.out.decode("utf-8", errors="ignore")
        cuts = [i for i in (text.find(stop) for stop in sampling.stop if stop) if i >= 0]
        if cuts:
            self._finish(slot, text[: min(cuts)], "stop")
        elif slot.generated >= sampling.max_tokens or len(slot.cached) + 1 >= self.n_ctx:
            self._finish(slot, text, "length")
        else:
            slot.next_token = token

    def _finish(self, slot: _Slot, text: str, reason: str) -> None:
        request = slot.request
        assert request is not None
        slot.request = None
        with contextlib.suppress(InvalidStateError):  # cancelled by its caller meanwhile
            request.future.set_result(Completion(text, len(request.tokens), slot.generated, reason))

    def _fail_running(self, exc: Exception) -> None:
        self._ll.llama_memory_clear(self._memory, True)
        for slot in self._slots:
            slot.cached, slot.pending, slot.next_token = [], [], None
            if slot.request is not None:
                _fail(slot.request, exc)
                slot.request = None

    def _sampler(self, sampling: Sampling) -> Any:
        ll = self._ll
        chain = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
        if sampling.logit_bias:
            items = (ll.llama_logit_bias * len(sampling.logit_bias))()
            for i, (token, bias) in enumerate(sampling.logit_bias.items()):
                items[i].token, items[i].bias = int(token), float(bias)
            ll.llama_sampler_chain_add(
                chain, ll.llama_sampler_init_logit_bias(self.n_vocab, len(items), items)
            )
        penalties = ll.llama_sampler_init_penalties(
            self.n_vocab, PENALTY_LAST_N, sampling.repeat_penalty, 0.0, 0.0
        )
        ll.llama_sampler_chain_add(chain, penalties)
        if sampling.temperature <= 0:
            ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_greedy())
            return chain
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_top_k(TOP_K))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_top_p(sampling.top_p, 1))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_min_p(MIN_P, 1))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_temp(sampling.temperature))
        seed = 0 if sampling.seed is None else sampling.seed
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_dist(seed))
        return chain

    def _free_sampler(self, slot: _Slot) -> None:
        if slot.sampler is not None:
            self._ll.llama_sampler_free(slot.sampler)
            slot.sampler = None


class LlamaScorer:
    """The model's next-token distribution at every position of a text, for likelihood measures
    (a zero-shot detector scores a text by how typical each of its tokens is to the model).

    Generation asks llama.cpp for logits at each sequence's last token only; this decodes one
    sequence per call in a single batch that asks for them at every position, so the cost is one
    forward pass over the text (``Llama(logits_all=True).eval`` of llama-cpp-python took ~8 s per
    short text on a 2-core machine). One caller at a time; texts are cut to ``n_ctx`` tokens.
    """

    def __init__(self, model_path: str, *, n_ctx: int = 256, threads: int = 1) -> None:
        import llama_cpp

        self._ll = llama_cpp
        self._model = _load_model(llama_cpp, model_path)
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._ctx = _context(
            llama_cpp, self._model, n_ctx=n_ctx, n_batch=n_ctx, seqs=1, threads=threads
        )
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self.n_ctx = n_ctx
        self._batch = llama_cpp.llama_batch_init(n_ctx, 0, 1)
        # A text is scored as a document of its own: after the model's start token if it adds
        # one, else after its end-of-text separator, so the first word is predicted too.
        if llama_cpp.llama_vocab_get_add_bos(self._vocab):
            start = llama_cpp.llama_vocab_bos(self._vocab)
        else:
            start = llama_cpp.llama_vocab_eot(self._vocab)
        self._start = [start] if start >= 0 else []

    def tokens(self, text: str) -> list[int]:
        """The start token and the text's tokens, at most ``n_ctx`` in all."""
        body = _tokenize(self._ll, self._vocab, text, add_bos=False, special=False)
        return (self._start + body)[: self.n_ctx]

    def logits(self, tokens: Sequence[int]) -> np.ndarray:
        """Row ``i``: the logits for the token after ``tokens[: i + 1]`` (a float32 copy)."""
        n = len(tokens)
        if not 0 < n <= self.n_ctx:
            raise ValueError(f"between 1 and {self.n_ctx} tokens, got {n}")
        self._ll.llama_memory_clear(self._memory, True)
        batch = self._batch
        for i, token in enumerate(tokens):
            batch.token[i] = token
            batch.pos[i] = i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = True
        batch.n_tokens = n
        if self._ll.llama_decode(self._ctx, batch) != 0:
            raise RuntimeError("llama_decode failed")
        pointer = self._ll.llama_get_logits(self._ctx)
        return np.ctypeslib.as_array(pointer, shape=(n, self.n_vocab)).copy()

    def close(self) -> None:
        self._ll.llama_batch_free(self._batch)
        self._ll.llama_free(self._ctx)
        self._ll.llama_model_free(self._model)


def _load_model(llama_cpp: Any, model_path: str) -> Any:
    from llama_cpp._logger import set_verbose

    set_verbose(False)  # llama.cpp's log: errors only
    model_params = llama_cpp.llama_model_default_params()
    # Memory-mapped, as llama-cpp-python loads it (the library's default is "auto").
    model_params.load_mode = llama_cpp.LLAMA_LOAD_MODE_MMAP
    model = llama_cpp.llama_model_load_from_file(model_path.encode(), model_params)
    if not model:
        raise ValueError(f"llama.cpp could not load {model_path}")
    return model


def _context(
    llama_cpp: Any, model: Any, *, n_ctx: int, n_batch: int, seqs: int, threads: int
) -> Any:
    """A context of ``n_ctx`` tokens shared by ``seqs`` sequences; frees the model on failure."""
    params = llama_cpp.llama_context_default_params()
    params.n_ctx = n_ctx
    params.n_batch = params.n_ubatch = n_batch
    params.n_seq_max = seqs
    # One KV buffer for all sequences: without it llama.cpp splits a batch into equal
    # per-sequence parts, and a prompt chunk beside single generated tokens crawls.
    params.kv_unified = True
    params.n_threads = params.n_threads_batch = threads
    params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    params.no_perf = True
    ctx = llama_cpp.llama_init_from_model(model, params)
    if not ctx:
        llama_cpp.llama_model_free(model)
        raise ValueError(f"llama.cpp could not create a context of {n_ctx} tokens ({seqs} seqs)")
    return ctx


def _attach_adapter(llama_cpp: Any, model: Any, ctx: Any, path: str) -> None:
    """Load a LoRA adapter GGUF and apply it to every sequence of ``ctx``.

    llama.cpp checks the architecture and every tensor's name and shape against the model and
    logs why it refuses; that reason becomes the error. An adapter that names its base model
    (``general.base_model.0.name``, as ``reviewgen tune`` writes) must name this one."""
    from llama_cpp._logger import llama_log_callback

    log: list[str] = []

    @llama_cpp.llama_log_callback
    def collect(level: int, text: bytes, user_data: Any) -> None:
        log.append(text.decode("utf-8", errors="replace"))

    # llama-cpp-python's own callback maps this build's log levels wrongly and drops errors.
    llama_cpp.llama_log_set(collect, ctypes.c_void_p(0))
    try:
        lora = llama_cpp.llama_adapter_lora_init(model, path.encode())
    finally:
        llama_cpp.llama_log_set(llama_log_callback, ctypes.c_void_p(0))
    if not lora:
        failures = [line for line in log if "failed" in line]
        reason = failures[-1].split("failed to apply lora adapter: ")[-1] if failures else ""
        raise ProviderError(
            f"adapter {path} does not fit the model: {reason.strip() or 'not a LoRA GGUF'}"
        )
    trained_on = _meta(llama_cpp.llama_adapter_meta_val_str, lora, "general.base_model.0.name")
    name = _meta(llama_cpp.llama_model_meta_val_str, model, "general.name")
    if trained_on is not None and name is not None and trained_on != name:
        raise ProviderError(
            f"adapter {path} was trained on {trained_on!r}, not on this model ({name!r}); "
            "tune it again on this model or set the model it was trained on"
        )
    adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(lora)
    scales = (ctypes.c_float * 1)(1.0)
    if llama_cpp.llama_set_adapters_lora(ctx, adapters, 1, scales) != 0:
        raise ProviderError(f"llama.cpp could not apply the adapter {path}")


def _meta(getter: Any, owner: Any, key: str) -> str | None:
    buffer = ctypes.create_string_buffer(256)
    n = getter(owner, key.encode(), buffer, len(buffer))
    return buffer.value.decode("utf-8", errors="replace") if n >= 0 else None


def _tokenize(llama_cpp: Any, vocab: Any, text: str, *, add_bos: bool, special: bool) -> list[int]:
    data = text.encode("utf-8")
    size = len(data) + 8
    buffer = (llama_cpp.llama_token * size)()
    n = llama_cpp.llama_tokenize(vocab, data, len(data), buffer, size, add_bos, special)
    if n < 0:
        buffer = (llama_cpp.llama_token * -n)()
        n = llama_cpp.llama_tokenize(vocab, data, len(data), buffer, -n, add_bos, special)
    return list(buffer[:n])


def _fail(request: _Request, exc: Exception) -> None:
    with contextlib.suppress(InvalidStateError):  # cancelled by its caller meanwhile
        request.future.set_exception(exc)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
