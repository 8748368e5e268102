"""Write the trained LoRA as the GGUF adapter llama.cpp loads (``llama_adapter_lora_init``).

llama.cpp pairs ``<base tensor>.lora_a`` with ``.lora_b``, checks them against the base
tensor's shape (A is rank x inputs, B outputs x rank, in numpy's order), and scales B·A by
``adapter.lora.alpha / rank``. ``general.base_model.0.name`` records the base model's
``general.name``: the engine refuses an adapter trained on another model.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from reviewgen.models.llamacpp import ADAPTER_FILE, TUNE_NOTES
from reviewgen.tune.gemma import BaseModel

__all__ = ["ADAPTER_FILE", "write_adapter"]


def write_adapter(
    path: Path,
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    alpha: float,
    base: BaseModel,
    notes: dict[str, str | int | float],
) -> None:
    """Write atomically: a reader never sees half an adapter."""
    from gguf import GGUFWriter

    partial = path.with_suffix(f".{os.getpid()}.partial")
    writer = GGUFWriter(partial, "gemma3")
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    writer.add_base_model_count(1)
    writer.add_base_model_name(0, base.name)
    for key, value in notes.items():
        if isinstance(value, str):
            writer.add_string(f"{TUNE_NOTES}{key}", value)
        elif isinstance(value, int):
            writer.add_uint32(f"{TUNE_NOTES}{key}", value)
        else:
            writer.add_float32(f"{TUNE_NOTES}{key}", float(value))
    for name, (a, b) in sorted(pairs.items()):
        writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(a, dtype=np.float32))
        writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(b, dtype=np.float32))
    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
