"""Measure ``reviewgen.text.pii.find_pii`` on the labelled cases in tests/data/pii_cases.jsonl.

Prints a Markdown table: precision and recall per kind, and the false-positive rates on phone
model numbers (SM-S911U, A2849, ...) and on all cases without personal data. A predicted span
counts as found when it has the gold span's kind and overlaps it.

    PYTHONPATH=src python benchmarks/bench_pii.py [CASES.jsonl]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewgen.text.pii import KINDS, PiiSpan, find_pii

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_cases.jsonl"


@dataclass
class Scores:
    cases: int = 0
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    model_number_cases: int = 0
    model_number_fp: int = 0
    negative_cases: int = 0
    negative_fp: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def precision(self, kind: str) -> float:
        return self.correct[kind] / self.predicted[kind] if self.predicted[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 1.0

    def model_number_fp_rate(self) -> float:
        return self.model_number_fp / self.model_number_cases if self.model_number_cases else 0.0

    def negative_fp_rate(self) -> float:
        return self.negative_fp / self.negative_cases if self.negative_cases else 0.0


def load_cases(path: Path = CASES) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _gold_spans(case: dict) -> list[tuple[str, int, int]]:
    spans = []
    for item in case["pii"]:
        start = case["text"].index(item["text"])
        spans.append((item["kind"], start, start + len(item["text"])))
    return spans


def _overlaps(a: tuple[str, int, int], b: PiiSpan) -> bool:
    return a[0] == b.kind and a[1] < b.end and b.start < a[2]


def score(cases: list[dict], detector: Callable[[str], list[PiiSpan]] = find_pii) -> Scores:
    scores = Scores(cases=len(cases))
    started = time.perf_counter()
    for case in cases:
        gold = _gold_spans(case)
        predicted = detector(case["text"])
        for span in gold:
            scores.gold[span[0]] += 1
            if any(_overlaps(span, p) for p in predicted):
                scores.found[span[0]] += 1
            else:
                scores.misses.append(f"{case['id']}: missed {span[0]} in {case['text']!r}")
        wrong = [p for p in predicted if not any(_overlaps(g, p) for g in gold)]
        for p in predicted:
            scores.predicted[p.kind] += 1
            scores.correct[p.kind] += p not in wrong
        for p in wrong:
            scores.false_positives.append(f"{case['id']}: {p.kind} {p.text!r} in {case['text']!r}")
        if "model_number" in case["tags"]:
            scores.model_number_cases += 1
            scores.model_number_fp += bool(wrong)
        if not gold:
            scores.negative_cases += 1
            scores.negative_fp += bool(wrong)
    scores.seconds = time.perf_counter() - started
    return scores


def markdown(scores: Scores) -> str:
    lines = ["| kind | gold spans | precision | recall |", "| --- | ---: | ---: | ---: |"]
    for kind in KINDS:
        lines.append(
            f"| {kind} | {scores.gold[kind]} | {scores.precision(kind):.3f} "
            f"| {scores.recall(kind):.3f} |"
        )
    lines += [
        "",
        "| false positives | cases | rate |",
        "| --- | ---: | ---: |",
        f"| phone model numbers | {scores.model_number_cases} | "
        f"{scores.model_number_fp_rate():.3f} |",
        f"| all cases without personal data | {scores.negative_cases} | "
        f"{scores.negative_fp_rate():.3f} |",
        "",
        f"{scores.cases} cases, {1000 * scores.seconds / max(scores.cases, 1):.2f} ms per case",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    scores = score(load_cases(Path(argv[0]) if argv else CASES))
    print(markdown(scores))
    for line in scores.misses + scores.false_positives:
        print(f"- {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
