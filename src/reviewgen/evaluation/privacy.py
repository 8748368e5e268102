"""Does the synthetic set contain personal data (e-mails, phones, URLs, names, ...)?

Every synthetic row is scanned with the same detector the generator's ``pii.v1`` critic uses.
Examples are shown with every detected span masked, so the report itself leaks nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.status import OK, not_enough_data, rounded
from reviewgen.text.pii import find_pii

EXAMPLES_PER_KIND = 3
CONTEXT = 60


def masked_excerpt(text: str, spans: list, focus: int) -> str:
    """The text around span ``focus`` with every span replaced by ``[KIND]``."""
    pieces, cursor, focus_at = [], 0, 0
    for i, span in enumerate(spans):
        pieces.append(text[cursor : span.start])
        if i == focus:
            focus_at = sum(len(p) for p in pieces)
        pieces.append(f"[{span.kind.upper()}]")
        cursor = span.end
    pieces.append(text[cursor:])
    masked = "".join(pieces)
    start = max(0, focus_at - CONTEXT)
    end = min(len(masked), focus_at + CONTEXT)
    return ("…" if start else "") + masked[start:end].strip() + ("…" if end < len(masked) else "")


def scan_pii(synthetic: Iterable[ReviewRow]) -> dict[str, Any]:
    rows = rows_with_pii = 0
    spans_by_kind: Counter[str] = Counter()
    rows_by_kind: Counter[str] = Counter()
    examples: list[dict[str, str]] = []
    shown: Counter[str] = Counter()
    for row in synthetic:
        rows += 1
        spans = find_pii(row.text)
        if not spans:
            continue
        rows_with_pii += 1
        kinds = Counter(span.kind for span in spans)
        spans_by_kind.update(kinds)
        rows_by_kind.update(kinds.keys())
        for i, span in enumerate(spans):
            if shown[span.kind] < EXAMPLES_PER_KIND:
                shown[span.kind] += 1
                examples.append({"kind": span.kind, "excerpt": masked_excerpt(row.text, spans, i)})
    if rows == 0:
        return not_enough_data("no synthetic reviews")
    return {
        "status": OK,
        "rows": rows,
        "rows_with_pii": rows_with_pii,
        "rate": rounded(rows_with_pii / rows),
        "by_kind": {
            kind: {"rows": rows_by_kind[kind], "spans": spans_by_kind[kind]}
            for kind in sorted(spans_by_kind)
        },
        "examples": examples,
    }
