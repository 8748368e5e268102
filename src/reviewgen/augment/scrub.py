"""Anonymise review text: replace what ``find_pii`` finds with typed placeholders or fakes.

Fakes are realistic but safe by construction where it matters: e-mails and URLs use reserved
example domains, phone numbers the fictional 555-01xx range, cards well-known test numbers.
Within one record the same original always gets the same replacement, so a review that names
"Sarah" twice still reads consistently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewgen.augment.records import base_fields, check_output, rows_with_ids, write_records
from reviewgen.core.datasets import Columns
from reviewgen.core.errors import ConfigError
from reviewgen.core.seeds import stable_int
from reviewgen.text.pii import KINDS, PiiSpan, find_pii

Mode = Literal["placeholder", "fake"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "url": "[URL]",
    "address": "[ADDRESS]",
    "card": "[CARD]",
    "person": "[NAME]",
}
TEST_CARDS = ("4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881")
AREA_CODES = ("212", "312", "415", "503", "617", "702", "808", "917")
_TITLE_RE = re.compile(r"^(Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s")


class _Faker:
    """Seeded fakes per kind (Faker's en_US data, shipped with the package)."""

    def __init__(self) -> None:
        try:
            from faker import Faker
        except ImportError:
            raise ConfigError("--mode fake needs Faker: pip install 'reviewgen[fakes]'") from None
        self._faker = Faker("en_US")

    def seed(self, seed: int) -> None:
        self._faker.seed_instance(seed)

    def fake(self, span: PiiSpan) -> str:
        f = self._faker
        if span.kind == "email":
            return f.safe_email()
        if span.kind == "phone":
            return f"({f.random_element(AREA_CODES)}) 555-01{f.numerify('##')}"
        if span.kind == "url":
            return f"https://www.example.com/{f.slug()}"
        if span.kind == "address":
            return f.street_address()
        if span.kind == "card":
            return f.random_element(TEST_CARDS)
        title = _TITLE_RE.match(span.text)
        if title:
            return f"{title.group().strip()} {f.last_name()}"
        return f.first_name() if " " not in span.text else f"{f.first_name()} {f.last_name()}"


class Scrubber:
    def __init__(self, mode: Mode = "placeholder", kinds: Iterable[str] = KINDS) -> None:
        self.kinds = set(kinds)
        unknown = sorted(self.kinds - set(KINDS))
        if unknown:
            raise ConfigError(f"unknown PII kind {', '.join(unknown)}; valid: {', '.join(KINDS)}")
        if mode not in ("placeholder", "fake"):
            raise ConfigError(f"unknown scrub mode {mode!r}; valid choices: placeholder, fake")
        self.mode = mode
        self._faker = _Faker() if mode == "fake" else None

    def scrub(self, text: str, seed: int = 0) -> tuple[str, Counter[str]]:
        """The text with each detected span replaced, and the counts by kind."""
        counts: Counter[str] = Counter()
        if self._faker is not None:
            self._faker.seed(seed)
        chosen: dict[tuple[str, str], str] = {}
        out: list[str] = []
        cursor = 0
        for span in find_pii(text):
            if span.kind not in self.kinds:
                continue
            key = (span.kind, span.text.lower())
            if key not in chosen:
                chosen[key] = (
                    PLACEHOLDERS[span.kind] if self._faker is None else self._faker.fake(span)
                )
            out.append(text[cursor : span.start])
            out.append(chosen[key])
            cursor = span.end
            counts[span.kind] += 1
        out.append(text[cursor:])
        return "".join(out), counts


@dataclass
class ScrubReport:
    records: int = 0
    changed: int = 0
    counts: Counter[str] = field(default_factory=Counter)


def scrub_rows(
    input_path: str | Path,
    scrubber: Scrubber,
    *,
    seed: int = 0,
    columns: Columns | None = None,
    limit: int | None = None,
    report: ScrubReport | None = None,
) -> Iterator[dict[str, Any]]:
    report = report if report is not None else ScrubReport()
    for row_id, row in rows_with_ids(input_path, columns, limit=limit):
        text, counts = scrubber.scrub(row.text, stable_int(seed, row_id))
        report.records += 1
        report.changed += bool(counts)
        report.counts.update(counts)
        yield {"id": row_id, **base_fields(row), "text": text, "pii_replaced": dict(counts)}


def scrub_file(
    input_path: str | Path,
    out_path: str | Path,
    *,
    mode: Mode = "placeholder",
    kinds: Iterable[str] = KINDS,
    seed: int = 0,
    columns: Columns | None = None,
    limit: int | None = None,
) -> ScrubReport:
    check_output(out_path)
    scrubber = Scrubber(mode, kinds)
    report = ScrubReport()
    write_records(
        out_path,
        scrub_rows(input_path, scrubber, seed=seed, columns=columns, limit=limit, report=report),
    )
    return report
