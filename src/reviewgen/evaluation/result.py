"""The outcome of one evaluation: the metrics document plus its summary and score card."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reviewgen.evaluation.scorecard import Gate, overall, score, summarise

SCHEMA = "reviewgen.evaluation/2"


@dataclass(frozen=True)
class EvaluationResult:
    metrics: dict[str, Any]

    @classmethod
    def from_metrics(cls, document: dict[str, Any]) -> EvaluationResult:
        """Add ``summary``, ``scorecard`` and ``overall`` to a document of section metrics."""
        summary = summarise(document)
        card = score(summary, document.get("independence", {}).get("not_independent"))
        head = {k: document[k] for k in ("schema", "generator", "created_at", "seconds")}
        rest = {k: v for k, v in document.items() if k not in head}
        return cls(
            {**head, "overall": overall(card), "scorecard": card, "summary": summary, **rest}
        )

    @property
    def summary(self) -> dict[str, Any]:
        return self.metrics["summary"]

    @property
    def scorecard(self) -> list[dict[str, Any]]:
        return self.metrics["scorecard"]

    @property
    def overall(self) -> str:
        return self.metrics["overall"]

    def gate_failures(self, gates: list[Gate], fail_on: str | None = None) -> list[str]:
        """Why a pipeline should stop: failed gates, and score-card checks at ``fail_on``
        (``"fail"``, or ``"warn"`` for warn and fail)."""
        failures = [f for gate in gates if (f := gate.failure(self.summary))]
        bad = {"fail"} if fail_on == "fail" else {"warn", "fail"} if fail_on == "warn" else set()
        failures += [
            f"score card: {row['check']} is {row['status']} ({row['metric']} = {row['value']})"
            for row in self.scorecard
            if row["status"] in bad
        ]
        return failures

    def to_json(self) -> str:
        return json.dumps(self.metrics, indent=2, ensure_ascii=False)
