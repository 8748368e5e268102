"""Merge review datasets into one, with a ``source`` column and no cross-set near-duplicates.

Sets are read in the order given; a row is dropped when a row of an *earlier* set is within the
duplicate store's threshold (duplicates inside one set are that set's business and stay).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from reviewgen.augment.records import (
    EMBED_BATCH,
    base_fields,
    check_output,
    rows_with_ids,
    write_records,
)
from reviewgen.core.datasets import Columns
from reviewgen.core.errors import DataError
from reviewgen.vectorstore import DuplicateStore, build_embedder

_NAMED_RE = re.compile(r"(?P<name>[\w.-]+)=(?P<path>.+)")


@dataclass(frozen=True)
class Source:
    name: str
    path: Path


@dataclass
class CombineReport:
    kept: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    removed_rows: list[dict[str, Any]] = field(default_factory=list)


def parse_sources(specs: list[str]) -> list[Source]:
    """``NAME=PATH`` or ``PATH`` (named after the file stem); names must be unique."""
    if len(specs) < 2:
        raise DataError("combine needs at least two datasets")
    sources = []
    for spec in specs:
        named = _NAMED_RE.fullmatch(spec)
        if named and not Path(spec).exists():
            sources.append(Source(named["name"], Path(named["path"])))
        else:
            sources.append(Source(Path(spec).stem, Path(spec)))
    names = Counter(s.name for s in sources)
    clashes = sorted(n for n, c in names.items() if c > 1)
    if clashes:
        raise DataError(
            f"datasets share the source name {', '.join(clashes)}; name them as NAME=PATH"
        )
    return sources


def combine_rows(
    sources: list[Source],
    *,
    columns: Columns | None = None,
    threshold: float = 0.8,
    embedder: str = "hashing.v1",
    report: CombineReport | None = None,
) -> Iterator[dict[str, Any]]:
    store = DuplicateStore(build_embedder(embedder), threshold=threshold)
    report = report if report is not None else CombineReport()
    for source in sources:
        report.kept[source.name] += 0  # keeps the sources in order in the report
        ids: list[str] = []
        vectors = []
        rows = rows_with_ids(source.path, columns)
        while batch := list(islice(rows, EMBED_BATCH)):
            batch_vectors = store.embed([row.text for _, row in batch])
            for (row_id, row), vector in zip(batch, batch_vectors, strict=True):
                record_id = f"{source.name}:{row_id}"
                match = store.nearest(vector=vector)
                if store.is_duplicate(match):
                    assert match is not None
                    report.removed[source.name] += 1
                    report.removed_rows.append(
                        {
                            "id": record_id,
                            "text": row.text,
                            "duplicate_of": match.id,
                            "similarity": round(match.similarity, 4),
                        }
                    )
                    continue
                ids.append(record_id)
                vectors.append(vector)
                report.kept[source.name] += 1
                yield {
                    "id": record_id,
                    "source": source.name,
                    "source_id": row_id,
                    **base_fields(row),
                }
        if ids:
            store.add(ids, vectors=np.vstack(vectors))


def combine_files(
    specs: list[str],
    out_path: str | Path,
    *,
    columns: Columns | None = None,
    threshold: float = 0.8,
    embedder: str = "hashing.v1",
    removed_path: str | Path | None = None,
) -> CombineReport:
    check_output(out_path)
    sources = parse_sources(specs)
    for source in sources:
        if Path(source.path).resolve() == Path(out_path).resolve():
            raise DataError(f"{out_path}: the output would overwrite an input")
    report = CombineReport()
    rows = combine_rows(
        sources, columns=columns, threshold=threshold, embedder=embedder, report=report
    )
    write_records(out_path, rows)
    if removed_path is not None:
        write_records(removed_path, report.removed_rows)
    return report
