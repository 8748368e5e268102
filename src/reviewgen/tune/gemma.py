"""Gemma 3 in torch, read from the GGUF file llama.cpp runs, with LoRA on its projections.

transformers would need its own copy of the weights and tokenizer; this is the same model
from the same file, dequantized once (bf16 by default: the CPU's AMX/AVX-512 bf16 matmuls are
2-3x faster than fp32 here), so the adapter is trained on exactly the weights it is applied to.
Gemma 3 as llama.cpp builds it (``src/models/gemma3.cpp``): embeddings scaled by sqrt(hidden);
RMSNorm (the GGUF already stores 1 + weight) before and after attention and the MLP; q/k
norms; five sliding-window layers (RoPE base 10k) to one global layer (the file's base);
GELU-tanh gated MLP; output layer tied to the embeddings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from reviewgen.core.errors import ProviderError

TARGETS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")
SWA_PATTERN = 6  # llama.cpp's default for gemma3: every sixth layer attends globally
SWA_ROPE_BASE = 10_000.0
EMBEDDING = "token_embd.weight"


@dataclass(frozen=True)
class BaseModel:
    """The hyper-parameters of the GGUF file, and what an adapter records of it."""

    name: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    head_dim: int
    eps: float
    rope_base: float
    window: int


def _value(reader: Any, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None:
        raise ProviderError(f"the model file has no {key}: not a Gemma 3 GGUF")
    if key.startswith("general."):
        return bytes(field.parts[-1]).decode()
    return field.parts[-1].tolist()[0]


def read_gguf(path: Path, dtype: torch.dtype) -> tuple[BaseModel, dict[str, torch.Tensor]]:
    """The model's settings and its weights, matrices in ``dtype``, vectors in fp32."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(path)
    arch = _value(reader, "general.architecture")
    if arch != "gemma3":
        raise ProviderError(f"{path.name}: tuning supports Gemma 3 models, not {arch}")
    base = BaseModel(
        name=_value(reader, "general.name"),
        n_layer=int(_value(reader, "gemma3.block_count")),
        n_embd=int(_value(reader, "gemma3.embedding_length")),
        n_head=int(_value(reader, "gemma3.attention.head_count")),
        n_head_kv=int(_value(reader, "gemma3.attention.head_count_kv")),
        head_dim=int(_value(reader, "gemma3.attention.key_length")),
        eps=float(_value(reader, "gemma3.attention.layer_norm_rms_epsilon")),
        rope_base=float(_value(reader, "gemma3.rope.freq_base")),
        window=int(_value(reader, "gemma3.attention.sliding_window")),
    )
    weights = {}
    for tensor in reader.tensors:
        array = np.asarray(dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
        weight = torch.from_numpy(array.copy())
        weights[tensor.name] = weight.to(dtype) if weight.dim() == 2 else weight
    return base, weights


class LoraGemma(torch.nn.Module):
    """The frozen base model plus trainable low-rank updates ``W + (alpha / rank) B A``."""

    def __init__(
        self,
        base: BaseModel,
        weights: dict[str, torch.Tensor],
        *,
        rank: int,
        alpha: float,
        seed: int,
        targets: tuple[str, ...] = TARGETS,
    ) -> None:
        super().__init__()
        self.base = base
        self.weights = weights  # frozen: plain tensors, not parameters
        self.rank, self.alpha, self.scale = rank, alpha, alpha / rank
        self.lora_a = torch.nn.ParameterDict()
        self.lora_b = torch.nn.ParameterDict()
        generator = torch.Generator().manual_seed(seed)
        for layer in range(base.n_layer):
            for target in targets:
                out_features, in_features = weights[f"blk.{layer}.{target}.weight"].shape
                bound = 1.0 / math.sqrt(in_features)  # PEFT's kaiming-uniform start for A
                a = torch.rand(rank, in_features, generator=generator) * 2 * bound - bound
                key = f"{layer}_{target}"
                self.lora_a[key] = torch.nn.Parameter(a)
                self.lora_b[key] = torch.nn.Parameter(torch.zeros(out_features, rank))
        self._rope: dict[tuple[int, float], tuple[torch.Tensor, torch.Tensor]] = {}

    # -- the adapter ----------------------------------------------------------------------

    def lora_pairs(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """GGUF tensor name of the base weight -> (A, B) as float32 arrays."""
        pairs = {}
        for key, a in self.lora_a.items():
            layer, target = key.split("_", 1)
            b = self.lora_b[key]
            pairs[f"blk.{layer}.{target}.weight"] = (
                a.detach().float().numpy().copy(),
                b.detach().float().numpy().copy(),
            )
        return pairs

    # -- the forward pass -----------------------------------------------------------------

    def _linear(self, layer: int, target: str, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weights[f"blk.{layer}.{target}.weight"])
        key = f"{layer}_{target}"
        if key in self.lora_a:
            y = y + F.linear(F.linear(x, self.lora_a[key]), self.lora_b[key]) * self.scale
        return y

    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        x = x.float()
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.base.eps) * weight

    def _rotate(self, x: torch.Tensor, length: int, rope_base: float) -> torch.Tensor:
        """NEOX-style RoPE (halves rotated), as llama.cpp applies it to Gemma."""
        key = (length, rope_base)
        if key not in self._rope:
            dim = self.base.head_dim
            inverse = 1.0 / rope_base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
            angles = torch.arange(length, dtype=torch.float32)[:, None] * inverse[None, :]
            cos, sin = torch.cat([angles.cos()] * 2, -1), torch.cat([angles.sin()] * 2, -1)
            self._rope[key] = (cos[:, None, :], sin[:, None, :])
        cos, sin = self._rope[key]
        half = x.shape[-1] // 2
        return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin

    def _block(self, layer: int, x: torch.Tensor, masks: dict[bool, torch.Tensor]) -> torch.Tensor:
        base, w, p = self.base, self.weights, f"blk.{layer}."
        batch, length, _ = x.shape
        sliding = layer % SWA_PATTERN < SWA_PATTERN - 1
        rope_base = SWA_ROPE_BASE if sliding else base.rope_base
        h = self._norm(x, w[p + "attn_norm.weight"])
        q = self._linear(layer, "attn_q", h).view(batch, length, base.n_head, base.head_dim)
        k = self._linear(layer, "attn_k", h).view(batch, length, base.n_head_kv, base.head_dim)
        v = self._linear(layer, "attn_v", h).view(batch, length, base.n_head_kv, base.head_dim)
        q = self._rotate(self._norm(q, w[p + "attn_q_norm.weight"]), length, rope_base)
        k = self._rotate(self._norm(k, w[p + "attn_k_norm.weight"]), length, rope_base)
        dtype = v.dtype  # bf16 under autocast: attention in the matmuls' precision
        q, k, v = (t.transpose(1, 2).to(dtype) for t in (q, k, v))
        groups = base.n_head // base.n_head_kv
        attention = F.scaled_dot_product_attention(
            q,
            k.repeat_interleave(groups, dim=1),
            v.repeat_interleave(groups, dim=1),
            attn_mask=masks[sliding],
            scale=1.0 / math.sqrt(base.head_dim),
        )
        attention = attention.transpose(1, 2).reshape(batch, length, -1)
        attention = self._linear(layer, "attn_output", attention)
        x = x + self._norm(attention, w[p + "post_attention_norm.weight"])
        h = self._norm(x, w[p + "ffn_norm.weight"])
        gate = F.gelu(self._linear(layer, "ffn_gate", h), approximate="tanh")
        mlp = self._linear(layer, "ffn_down", gate * self._linear(layer, "ffn_up", h))
        return x + self._norm(mlp, w[p + "post_ffw_norm.weight"])

    def hidden(self, tokens: torch.Tensor) -> torch.Tensor:
        """The final normed hidden states of a right-padded batch ``[batch, length]``."""
        length = tokens.shape[1]
        position = torch.arange(length)
        causal = position[:, None] >= position[None, :]
        masks = {
            False: causal,
            True: causal & (position[:, None] - position[None, :] < self.base.window),
        }
        x = F.embedding(tokens, self.weights[EMBEDDING]).float() * math.sqrt(self.base.n_embd)
        for layer in range(self.base.n_layer):
            x = self._block(layer, x, masks)
        return self._norm(x, self.weights["output_norm.weight"])

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.linear(hidden, self.weights[EMBEDDING])

    def loss(self, tokens: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Mean next-token loss over the positions whose label is not -100 (the review's
        tokens): the 100k-row output layer is applied only there."""
        hidden = self.hidden(tokens)[:, :-1]
        targets = labels[:, 1:]
        scored = targets != -100
        logits = self.logits(hidden[scored])
        return F.cross_entropy(logits.float(), targets[scored])
