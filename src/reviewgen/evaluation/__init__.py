"""Efficacy evaluation: how real, varied, useful and safe a synthetic review set is.

``evaluate(synthetic, reference, holdout=None, options)`` returns an ``EvaluationResult``
(``.metrics``, ``.summary``, ``.scorecard``, ``.to_json()``); ``write_report`` writes
metrics.json, report.html and DATASET_CARD.md. See docs/EVALUATION.md.
"""

from reviewgen.evaluation.card import load_run_info
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.report import write_report
from reviewgen.evaluation.result import EvaluationResult
from reviewgen.evaluation.runner import evaluate
from reviewgen.evaluation.scorecard import CHECKS, Gate, metric_names, parse_gate
from reviewgen.evaluation.sources import ReviewSource

__all__ = [
    "CHECKS",
    "EvaluationOptions",
    "EvaluationResult",
    "Gate",
    "ReviewSource",
    "evaluate",
    "load_run_info",
    "metric_names",
    "parse_gate",
    "write_report",
]
