"""Write the three report files of one evaluation into a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewgen.core.errors import ReviewgenError
from reviewgen.evaluation.card import render_card
from reviewgen.evaluation.report_html import render_html
from reviewgen.evaluation.result import EvaluationResult


def write_report(
    result: EvaluationResult,
    out: str | Path,
    *,
    run_info: dict[str, Any] | None = None,
    run_source: str = "no run.json was given",
    extra_sections: list[str] | None = None,
) -> dict[str, Path]:
    """metrics.json, report.html and DATASET_CARD.md; returns their paths by name.

    ``extra_sections`` are HTML sections made elsewhere (the human study's), added at the end."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "metrics": out / "metrics.json",
            "html": out / "report.html",
            "card": out / "DATASET_CARD.md",
        }
        paths["metrics"].write_text(result.to_json() + "\n", encoding="utf-8")
        paths["html"].write_text(
            render_html(result.metrics, extra_sections or []), encoding="utf-8"
        )
        paths["card"].write_text(
            render_card(result.metrics, run_info, run_source), encoding="utf-8"
        )
    except OSError as exc:
        raise ReviewgenError(f"cannot write the report to {out}: {exc.strerror}") from None
    return paths
