"""Append-only JSONL files: the accepted ledger (source of truth) and the rejects log.

Each record is written and flushed on its own line, so a killed run keeps every record it
reported. On resume a torn last line (a kill mid-write) is detected, reported and cut off.
Resume reads only what it needs from each line (id, slot, text, aspects) with plain type
checks: full pydantic validation cost 0.4 ms a line, 40 s for a 100,000-review ledger.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from pydantic import BaseModel

from reviewgen.core.errors import DataError


class LedgerEntry(NamedTuple):
    """What a resume needs from an accepted record."""

    id: str
    slot: int
    text: str
    aspects: list[str]


@dataclass
class LedgerState:
    records: list[LedgerEntry]
    torn_bytes: int  # bytes of an incomplete last line that were dropped


def _entry(data: Any) -> LedgerEntry:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("synthetic") is not True:
        raise ValueError("not marked synthetic")
    entry = LedgerEntry(*(data[field] for field in LedgerEntry._fields))
    if not (isinstance(entry.id, str) and isinstance(entry.text, str)):
        raise ValueError("id and text must be strings")
    if type(entry.slot) is not int or entry.slot < 0:
        raise ValueError("slot must be a non-negative integer")
    if not (isinstance(entry.aspects, list) and all(isinstance(a, str) for a in entry.aspects)):
        raise ValueError("aspects must be a list of strings")
    return entry


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def append(self, record: BaseModel) -> None:
        if self._handle is None:
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(record.model_dump_json() + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def read_ledger(path: Path, *, repair: bool = False) -> LedgerState:
    """Read accepted records; a torn final line is dropped (and cut from the file if ``repair``)."""
    if not path.exists():
        return LedgerState([], 0)
    data = path.read_bytes()
    good_end = data.rfind(b"\n") + 1
    torn = len(data) - good_end
    if torn and repair:
        with path.open("r+b") as handle:
            handle.truncate(good_end)
            os.fsync(handle.fileno())
    records = []
    for number, line in enumerate(data[:good_end].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_entry(json.loads(line)))
        except KeyError as exc:
            raise DataError(
                f"{path}:{number}: not a reviewgen record (missing {exc}); the ledger was edited "
                "or belongs to another tool"
            ) from None
        except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
            reason = str(exc)
            raise DataError(
                f"{path}:{number}: not a reviewgen record ({reason}); the ledger was edited "
                "or belongs to another tool"
            ) from None
    return LedgerState(records, torn)
