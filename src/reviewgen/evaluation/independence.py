"""Is the evaluation independent of the run it grades?

Two ways it may not be, both read from the run's ``run.json``:

- a metric measured with a tool the run also filtered drafts with (the TF-IDF detector when
  ``realism.v1`` was on, VADER when ``rating_consistency.v1`` was, the duplicate store's
  embedder, the aspect lexicon, ...). The generator kept what that tool liked, so the number
  flatters; it is reported, marked "also used as a filter in this run: not independent";
- real reviews the generator saw: texts the evaluation's real set shares with the run's
  reference (minus the part the run held out) were the model's examples, not unseen reviews.

``run.json``'s ``reference`` block (path, ``holdout_fraction``; the held-out rows are those with
``reviewgen.core.datasets.is_held_out``) says what the run saw; older manifests only have
``config.reference.path``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewgen.core.datasets import Columns, ReviewRow, is_held_out, iter_reviews
from reviewgen.core.errors import DataError
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.status import OK, rounded
from reviewgen.text.words import normalise

NOT_INDEPENDENT = "also used as a filter in this run: not independent"
HEADLINE = ("auc", "detector_auc_worst", "detection_score")


@dataclass(frozen=True)
class RunReference:
    """The reference file a run learnt from, and the part of it the run never read."""

    path: str | None
    holdout_fraction: float = 0.0


def _rules(config: dict[str, Any]) -> set[str]:
    critic = config.get("critic")
    rules = critic.get("rules", []) if isinstance(critic, dict) else []
    return {r.get("name") for r in rules if isinstance(r, dict)}


def _path(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("path")
    return value if isinstance(value, str) and value else None


def run_reference(run: dict[str, Any]) -> RunReference:
    """What the run's manifest records of its reference (nothing: no reference was used)."""
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    recorded = run.get("reference") if isinstance(run.get("reference"), dict) else {}
    fraction = recorded.get("holdout_fraction")
    return RunReference(
        path=_path(recorded) or _path(config.get("reference")),
        holdout_fraction=float(fraction) if isinstance(fraction, int | float) else 0.0,
    )


def filter_marks(
    run: dict[str, Any], options: EvaluationOptions, family_worst: str | None
) -> dict[str, str]:
    """Summary metric -> the filter of this run that used the same tool."""
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    rules = _rules(config)
    marks: dict[str, str] = {}

    def mark(metrics: tuple[str, ...], why: str, family: str | None = None) -> None:
        marks.update(dict.fromkeys(metrics, why))
        if family is not None and family == family_worst:
            marks.update(dict.fromkeys(HEADLINE, why))

    if "realism.v1" in rules and run_reference(run).path:
        mark(
            ("auc_tfidf_lr",),
            "realism.v1 rejected the drafts a TF-IDF + logistic regression detector found "
            "most synthetic",
            "tfidf_lr",
        )
    if "rating_consistency.v1" in rules:
        mark(
            (
                "sentiment_agreement_synthetic",
                "sentiment_agreement_gap",
                "sentiment_max_rating_gap",
            ),
            "rating_consistency.v1 rejected drafts whose VADER sentiment contradicted the stars",
        )
    if "aspect_coverage.v1" in rules:
        mark(("topic_max_gap",), "aspect_coverage.v1 filtered with the aspect lexicon")
    if "length.v1" in rules:
        mark(("words_ks", "long_review_gap"), "length.v1 filtered on the same word counts")
    if "pii.v1" in rules:
        mark(("pii_rate",), "pii.v1 filtered with the same personal-data detector")
    store = config.get("store") if isinstance(config.get("store"), dict) else {}
    embedder = store.get("embedder") if isinstance(store.get("embedder"), dict) else {}
    if embedder.get("name") == options.embedder and (embedder.get("params") or {}) == dict(
        options.embedder_params
    ):
        mark(
            ("near_duplicate_rate_synthetic", "near_duplicate_excess"),
            f"the duplicate store rejected near-duplicates with the same embedder "
            f"({options.embedder})",
        )
        if store.get("check_reference", True):
            mark(
                ("near_copy_rate", "near_copy_excess", "closer_than_holdout_share"),
                f"the duplicate store rejected drafts close to reference reviews with the same "
                f"embedder ({options.embedder})",
            )
    models = run.get("models") if isinstance(run.get("models"), dict) else {}
    if options.zero_shot and any(
        str(label).split(":", 1)[-1] == options.zero_shot_model for label in models.values()
    ):
        mark(
            ("auc_zero_shot",),
            f"the zero-shot scoring model ({options.zero_shot_model}) also wrote this run",
            "zero_shot",
        )
    return marks


def _resolve(path: str, run_dir: Path | None) -> Path:
    candidate = Path(path).expanduser()
    if not candidate.is_absolute() and not candidate.exists() and run_dir is not None:
        return run_dir / candidate
    return candidate


def _texts(path: Path, text_col: str, skip_held_out: float = 0.0) -> set[int]:
    columns = Columns(text=text_col, rating=None, product=None, id=None)
    return {
        hash(normalise(row.text))
        for row in iter_reviews(path, columns)
        if not (skip_held_out and is_held_out(row, skip_held_out))
    }


def seen_texts(run: dict[str, Any], run_dir: Path | None) -> set[int]:
    """Hashes of the reference texts the run read (its held-out part left out)."""
    reference = run_reference(run)
    assert reference.path is not None
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    settings = config.get("reference") if isinstance(config.get("reference"), dict) else {}
    text_col = settings.get("text_col") or "text"
    return _texts(_resolve(reference.path, run_dir), text_col, reference.holdout_fraction)


def reference_overlap(
    run: dict[str, Any], run_dir: Path | None, real: Iterable[Iterable[ReviewRow]]
) -> dict[str, Any]:
    """Real reviews of this evaluation that the generator saw (same text after case and
    spacing): the run's reference minus the part it held out."""
    reference = run_reference(run)
    if reference.path is None:
        return {"status": "not_checked", "reason": "run.json names no reference: none was used"}
    try:
        seen = seen_texts(run, run_dir)
    except DataError as exc:
        return {"status": "not_checked", "reason": f"the run's reference cannot be read: {exc}"}
    rows = common = 0
    for source in real:
        for row in source:
            rows += 1
            common += hash(normalise(row.text)) in seen
    return {
        "status": OK,
        "run_reference": reference.path,
        "run_holdout_fraction": reference.holdout_fraction,
        "seen_by_generator": len(seen),
        "evaluation_real_rows": rows,
        "in_common": common,
        "share": rounded(common / rows) if rows else None,
    }


def overlap_warning(overlap: dict[str, Any]) -> str | None:
    if overlap.get("status") != OK or not overlap["in_common"]:
        return None
    advice = (
        f"e.g. the {overlap['run_holdout_fraction']:.0%} of its reference it held out "
        "(--run-holdout)"
        if overlap["run_holdout_fraction"]
        else "e.g. hold part of the reference out (reference.holdout_fraction)"
    )
    return (
        f"{overlap['in_common']:,} of the {overlap['evaluation_real_rows']:,} real reviews in "
        f"this evaluation ({overlap['share']:.1%}) are texts the generator saw in its reference "
        f"({overlap['run_reference']}): realism, diversity and copy numbers are not measured "
        f"against unseen reviews. Evaluate against reviews the run did not use, {advice}."
    )


def independence(
    run: dict[str, Any] | None,
    run_source: str,
    options: EvaluationOptions,
    family_worst: str | None,
    real: Iterable[Iterable[ReviewRow]],
) -> dict[str, Any]:
    """The ``independence`` section: which metrics the run filtered on, and the overlap."""
    if run is None:
        return {
            "status": "not_checked",
            "reason": f"{run_source}: which filters the run used is unknown",
            "run": None,
            "filters": [],
            "not_independent": {},
        }
    run_dir = Path(run_source).parent if run_source.endswith(".json") else None
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    overlap = reference_overlap(run, run_dir, real)
    return {
        "status": OK,
        "run": run_source,
        "filters": sorted(_rules(config)),
        "not_independent": filter_marks(run, options, family_worst),
        "reference_overlap": overlap,
    }
