"""``evaluate``: run every check on three row sources and collect one metrics document.

The expensive checks run in worker processes while the main process profiles the rows: the
embedding pass and the PII scan stream the sources themselves (from the start), and the
detector families (the zero-shot one apart: it is the slowest) start as soon as the samples
are drawn.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewgen import __version__
from reviewgen.core.datasets import ReviewRow
from reviewgen.core.errors import DataError
from reviewgen.evaluation.detectors.zero_shot import skipped, zero_shot_test
from reviewgen.evaluation.diversity import compare_diversity
from reviewgen.evaluation.independence import independence, overlap_warning
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.phrases import compare_phrases
from reviewgen.evaluation.privacy import scan_pii
from reviewgen.evaluation.profile import SetProfile, profile_sets
from reviewgen.evaluation.realism import trained_families, with_headline
from reviewgen.evaluation.result import SCHEMA, EvaluationResult
from reviewgen.evaluation.sentiment import compare_sentiment
from reviewgen.evaluation.shape import compare_shape
from reviewgen.evaluation.similarity import similarity_checks
from reviewgen.evaluation.sources import as_source, describe
from reviewgen.evaluation.status import OK
from reviewgen.evaluation.topics import compare_topics
from reviewgen.evaluation.utility import train_synthetic_test_real

Rows = Iterable[ReviewRow] | str | Path
SECTIONS = (
    "shape",
    "sentiment",
    "topics",
    "realism",
    "diversity",
    "phrases",
    "uniqueness",
    "utility",
    "privacy",
)


class _Done:
    def __init__(self, value: Any) -> None:
        self._value = value

    def get(self) -> Any:
        return self._value


class _Inline:
    """The pool interface, run in this process (``workers=1``: tests, small CI machines)."""

    def apply_async(self, func: Callable[..., Any], args: tuple = (), kwds: dict | None = None):
        return _Done(func(*args, **(kwds or {})))


def _single_threaded() -> None:
    """Workers share the cores with each other and the main process; thread pools inside
    faiss and BLAS would only spin against each other."""
    import faiss
    from threadpoolctl import threadpool_limits

    faiss.omp_set_num_threads(1)
    threadpool_limits(1)


@contextmanager
def _pool(workers: int) -> Iterator[Any]:
    if workers == 1:
        yield _Inline()
        return
    # spawn, not fork: forking a process that already runs BLAS/OpenMP threads can deadlock.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, initializer=_single_threaded) as pool:
        yield pool  # leaving the block terminates the workers, also on an error


def _input(rows: Iterable[ReviewRow] | None, profile: SetProfile) -> dict[str, Any]:
    return {"source": describe(rows), "rows": profile.rows, "sample": len(profile.sample)}


def _require_rows(profiles: dict[str, SetProfile]) -> None:
    if profiles["synthetic"].rows == 0:
        raise DataError("the synthetic set has no reviews with text")
    if profiles["reference"].rows + profiles["holdout"].rows == 0:
        raise DataError("the reference set has no reviews with text")


def _zero_shot(pool: Any, syn_texts: list[str], ref_texts: list[str], options: EvaluationOptions):
    if not options.zero_shot:
        return _Done(skipped("turned off (--no-zero-shot)", options.zero_shot_model))
    return pool.apply_async(
        zero_shot_test,
        (syn_texts, ref_texts),
        {
            "model": options.zero_shot_model,
            "max_per_set": options.zero_shot_max,
            "seed": options.seed,
        },
    )


def evaluate(
    synthetic: Rows,
    reference: Rows,
    holdout: Rows | None = None,
    options: EvaluationOptions | None = None,
    *,
    run_info: dict[str, Any] | None = None,
    run_source: str = "no run.json was given",
) -> EvaluationResult:
    """Compare synthetic reviews with real ones.

    Each input is a path, a ``ReviewSource`` or a list of ``ReviewRow`` and is streamed more
    than once; without ``holdout``, a seeded ``holdout_share`` of the reference is held out and
    every comparison uses the rest. ``run_info`` is the run's ``run.json`` (``load_run_info``):
    with it, metrics measured by a tool the run also filtered with are marked, and real
    reviews the generator saw are counted.
    """
    options = options or EvaluationOptions()
    syn_rows, ref_rows = as_source(synthetic), as_source(reference)
    hold_rows = None if holdout is None else as_source(holdout)
    started = time.perf_counter()
    with _pool(options.workers) as pool:
        similarity = pool.apply_async(similarity_checks, (syn_rows, ref_rows, hold_rows, options))
        privacy = pool.apply_async(scan_pii, (syn_rows,))
        profiles = profile_sets(syn_rows, ref_rows, hold_rows, options)
        _require_rows(profiles)
        syn, ref, hold = profiles["synthetic"], profiles["reference"], profiles["holdout"]
        syn_texts, ref_texts = [t for t, _ in syn.sample], [t for t, _ in ref.sample]
        zero_shot = _zero_shot(pool, syn_texts, ref_texts, options)
        realism = pool.apply_async(
            trained_families,
            (syn_texts, ref_texts),
            {"seed": options.seed, "folds": options.folds},
        )
        metrics: dict[str, Any] = {
            "shape": compare_shape(syn, ref),
            "sentiment": compare_sentiment(syn.sample, ref.sample),
            "topics": compare_topics(syn, ref, list(options.aspects or [])),
            "utility": train_synthetic_test_real(
                ref.sample, syn.sample, hold.sample, seed=options.seed
            ),
            "diversity": compare_diversity(syn_texts, ref_texts, seed=options.seed),
            "phrases": compare_phrases(syn_texts, ref_texts),
        }
        similar = similarity.get()
        metrics["realism"] = with_headline(realism.get(), zero_shot.get())
        metrics["privacy"] = privacy.get()
    metrics["uniqueness"] = similar["uniqueness"]
    if metrics["diversity"]["status"] == OK:
        metrics["diversity"]["near_duplicate_rate"] = similar["near_duplicates"]
    inputs = {
        "synthetic": {
            **_input(syn_rows, syn),
            "ratings": {str(star): n for star, n in sorted(syn.ratings.items())},
            "products": {
                "distinct": len(syn.products),
                "top": [[name, n] for name, n in syn.products.most_common(10)],
            },
        },
        "reference": _input(ref_rows, ref),
        "holdout": {
            **_input(hold_rows, hold),
            "split_from_reference": hold_rows is None,
        },
    }
    checked = independence(
        run_info,
        run_source,
        options,
        metrics["realism"].get("family_worst"),
        [ref_rows] if hold_rows is None else [ref_rows, hold_rows],
    )
    warning = overlap_warning(checked.get("reference_overlap", {}))
    document = {
        "schema": SCHEMA,
        "generator": f"reviewgen {__version__}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "warnings": [warning] if warning else [],
        "options": options.to_json(),
        "inputs": inputs,
        "independence": checked,
        **{key: metrics[key] for key in SECTIONS},
    }
    return EvaluationResult.from_metrics(document)
