"""Append-only JSONL files: the accepted ledger (source of truth) and the rejects log.

Each record is written and flushed on its own line, so a killed run keeps every record it
reported. On resume a torn last line (a kill mid-write) is detected, reported and cut off.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ValidationError

from reviewgen.errors import DataError
from reviewgen.schemas import ReviewRecord


@dataclass
class LedgerState:
    records: list[ReviewRecord]
    torn_bytes: int  # bytes of an incomplete last line that were dropped


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
            records.append(ReviewRecord.model_validate(json.loads(line)))
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise DataError(
                f"{path}:{number}: not a reviewgen record ({reason}); the ledger was edited "
                "or belongs to another tool"
            ) from None
    return LedgerState(records, torn)
