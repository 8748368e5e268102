"""Augment a dataset: run a chain of registered ops on each row and record the lineage.

Each output record names its parent, the ops with their parameters and what they changed, and
the seeds that reproduce it (``op.apply(text, random.Random(record_seed))`` in order). Every
output is compared with its parent in the duplicate store's embedding space: an augmentation
that lands within the threshold is flagged ``near_parent`` so nobody mistakes it for new data.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewgen import __version__
from reviewgen.augment.llm import AnswerCache
from reviewgen.augment.records import (
    EMBED_BATCH,
    base_fields,
    check_output,
    rows_with_ids,
    write_records,
)
from reviewgen.core.datasets import Columns
from reviewgen.core.errors import ConfigError
from reviewgen.core.registry import augmenters, validate_params
from reviewgen.core.seeds import stable_int
from reviewgen.text.aspects import AspectLexicon
from reviewgen.vectorstore import DuplicateStore, Match, build_embedder

if TYPE_CHECKING:
    from reviewgen.core.config import Config


def resolve_op_name(name: str) -> str:
    """``typos`` -> the newest registered ``typos.vN``; full names pass through."""
    return augmenters.resolve(name)


def _validated(name: str, params: dict[str, Any] | None, protected: Iterable[str]) -> Any:
    cls = augmenters.get(name)
    values = dict(params or {})
    values["protected"] = sorted(set(values.get("protected", [])) | set(protected))
    return validate_params(cls, values, f"augment.{name}.params")


def needs_model(name: str, params: Any) -> bool:
    cls = augmenters.get(name)
    return bool(getattr(cls, "needs_model", None) and cls.needs_model(params))


def build_op(
    name: str,
    params: dict[str, Any] | None = None,
    *,
    protected: Iterable[str] = (),
    model: Any = None,
    cache: AnswerCache | None = None,
) -> Any:
    """An op instance with validated params; ``protected`` is added to its own list."""
    full = resolve_op_name(name)
    validated = _validated(full, params, protected)
    if needs_model(full, validated):
        return augmenters.get(full)(validated, model=model, cache=cache)
    return augmenters.get(full)(validated)


def build_steps(
    names: list[str],
    params: dict[str, dict[str, Any]],
    *,
    protected: Iterable[str] = (),
    model_factory: Callable[[], Any] | None = None,
    cache: AnswerCache | None = None,
) -> list[OpStep]:
    """Ops in order; the model is built once, and only if an op needs it."""
    unknown = sorted(set(params) - set(names) - {resolve_op_name(n) for n in names})
    if unknown:
        raise ConfigError(f"parameters given for ops not in the chain: {', '.join(unknown)}")
    protected = sorted(set(protected))
    model = None
    steps = []
    for name in names:
        full = resolve_op_name(name)
        validated = _validated(full, {**params.get(full, {}), **params.get(name, {})}, protected)
        if needs_model(full, validated):
            if model is None and model_factory is not None:
                model = model_factory()
            op = augmenters.get(full)(validated, model=model, cache=cache)
        else:
            op = augmenters.get(full)(validated)
        steps.append(OpStep(full, op))
    return steps


def protected_from_config(config: Config) -> set[str]:
    """Aspect lexicon terms plus product names and brands."""
    terms = AspectLexicon(config.category.aspects).protected_words()
    for product in config.category.products:
        terms.update(str(product[k]) for k in ("name", "brand") if product.get(k))
    return terms


@dataclass
class OpStep:
    name: str
    op: Any

    def lineage_params(self) -> dict[str, Any]:
        return self.op.params.model_dump(mode="json", exclude={"protected"})


# Seeds tried per output before an op chain that changes nothing is given up on.
CHANGE_ATTEMPTS = 8


@dataclass
class AugmentReport:
    records: int = 0
    parents: int = 0
    near_parent: int = 0
    duplicates: int = 0
    unchanged: int = 0  # outputs identical to their parent: skipped, never written as copies
    changes: Counter[str] = field(default_factory=Counter)


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return round(float(np.dot(a, b)), 4)


def _nearest_other(store: DuplicateStore, vector: np.ndarray, parent_id: str) -> Match | None:
    """The most similar stored text other than the parent (another record or its variant)."""
    scores, rows = store.nearest_many(vector.reshape(1, -1), k=2)
    for score, row in zip(scores[0], rows[0], strict=True):
        if row >= 0 and store.id_at(int(row)) != parent_id:
            return Match(store.id_at(int(row)), round(float(score), 4))
    return None


def _run_chain(
    text: str, steps: list[OpStep], record_seed: int, report: AugmentReport
) -> tuple[str, list[dict[str, Any]]]:
    rng = random.Random(record_seed)
    applied = []
    for step in steps:
        result = step.op.apply(text, rng)
        text = result.text if result.text.strip() else text
        applied.append(
            {"name": step.name, "params": step.lineage_params(), "changes": result.changes}
        )
        report.changes.update(
            {f"{step.name}:{k}": v for k, v in result.changes.items() if _is_count(v)}
        )
    return text, applied


def augment_rows(
    input_path: str | Path,
    steps: list[OpStep],
    *,
    seed: int = 0,
    variants: int = 1,
    columns: Columns | None = None,
    limit: int | None = None,
    store: DuplicateStore | None = None,
    report: AugmentReport | None = None,
    drop_near_parent: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield augmented records.

    Parents and outputs enter ``store`` in input order, so an output that near-duplicates
    another record or variant (not its parent) gets ``duplicate_of``. Texts are embedded in
    batches; with ``drop_near_parent`` flagged records are counted but not yielded.
    """
    if not steps:
        raise ConfigError("no augmentation ops given")
    if variants < 1:
        raise ConfigError("variants must be at least 1")
    store = store or DuplicateStore(build_embedder("hashing.v1"), threshold=0.8)
    report = report if report is not None else AugmentReport()
    source = Path(input_path).name
    chain = [s.name for s in steps]
    rows = rows_with_ids(input_path, columns, limit=limit)
    while batch := list(islice(rows, EMBED_BATCH)):
        pending = []
        for parent_id, row in batch:
            for variant in range(1, variants + 1):
                for attempt in range(CHANGE_ATTEMPTS):
                    retry = ("retry", attempt) if attempt else ()
                    record_seed = stable_int(seed, parent_id, variant, *chain, *retry)
                    text, applied = _run_chain(row.text, steps, record_seed, report)
                    if text != row.text:
                        break
                pending.append((parent_id, row, variant, record_seed, text, applied))
        parent_vectors = store.embed([row.text for _, row in batch])
        output_vectors = iter(store.embed([item[4] for item in pending]))
        outputs = iter(pending)
        for (parent_id, row), parent_vector in zip(batch, parent_vectors, strict=True):
            report.parents += 1
            store.add([parent_id], vectors=parent_vector.reshape(1, -1))
            for _ in range(variants):
                _, _, variant, record_seed, text, applied = next(outputs)
                vector = next(output_vectors)
                if text == row.text:  # no op found anything to change: not a new review
                    report.unchanged += 1
                    continue
                record_id = f"{parent_id}~aug{variant}"
                match = _nearest_other(store, vector, parent_id)
                store.add([record_id], vectors=vector.reshape(1, -1))
                similarity = _similarity(vector, parent_vector)
                record = {"id": record_id, **base_fields(row), "text": text}
                record.update(
                    parent_id=parent_id,
                    lineage={
                        "source": source,
                        "ops": applied,
                        "seed": seed,
                        "variant": variant,
                        "record_seed": record_seed,
                    },
                    parent_similarity=similarity,
                    near_parent=similarity >= store.threshold,
                )
                if store.is_duplicate(match):
                    assert match is not None
                    record.update(duplicate_of=match.id, duplicate_similarity=match.similarity)
                    report.duplicates += 1
                report.near_parent += record["near_parent"]
                if drop_near_parent and record["near_parent"]:
                    continue
                report.records += 1
                record.update(
                    synthetic=True,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    generator=f"reviewgen {__version__}",
                )
                yield record


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def augment_file(
    input_path: str | Path,
    out_path: str | Path,
    steps: list[OpStep],
    *,
    seed: int = 0,
    variants: int = 1,
    columns: Columns | None = None,
    limit: int | None = None,
    threshold: float = 0.8,
    drop_near_parent: bool = False,
) -> AugmentReport:
    check_output(out_path)
    report = AugmentReport()
    store = DuplicateStore(build_embedder("hashing.v1"), threshold=threshold)
    rows = augment_rows(
        input_path,
        steps,
        seed=seed,
        variants=variants,
        columns=columns,
        limit=limit,
        store=store,
        report=report,
        drop_near_parent=drop_near_parent,
    )
    write_records(out_path, rows)
    return report
