"""``DATASET_CARD.md``: what the synthetic set is, how it was made, how it scored, what it is for.

Generation details come from the ``run.json`` that ``reviewgen generate`` writes beside
``reviews.jsonl``; any other file or a missing manifest still gets a card, saying what is unknown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "run.json"
# Manifest keys listed first in the settings table, and those with a section of their own.
_SETTINGS = (
    "generator",
    "status",
    "count",
    "accepted",
    "seed",
    "config_hash",
    "drafts",
    "candidates",
    "retries",
    "rejected",
    "cost",
    "seconds",
)
_OWN_SECTION = {"models", "usage", "config", "synthetic"}


def load_run_info(synthetic: str | Path | None) -> tuple[dict[str, Any] | None, str]:
    """The manifest beside the synthetic reviews, or None and the reason it is missing."""
    if synthetic is None:
        return None, "the synthetic reviews were not read from a file"
    path = Path(synthetic)
    manifest = (path if path.is_dir() else path.parent) / MANIFEST
    if not manifest.exists():
        return None, f"no {MANIFEST} next to {path}"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{manifest} could not be read ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return None, f"{manifest} is not a JSON object"
    return data, str(manifest)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _generation(run: dict[str, Any] | None, source: str) -> list[str]:
    lines = ["## How it was generated", ""]
    if run is None:
        return [
            *lines,
            f"Unknown: {source}, so the models and settings used are not recorded here.",
            "",
        ]
    lines += [f"Recorded in `{source}`.", ""]
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    rows: list[list[Any]] = [[key, run[key]] for key in _SETTINGS if key in run]
    rows += [
        [key, value]
        for key, value in run.items()
        if key not in _SETTINGS and key not in _OWN_SECTION
    ]
    lines += _table(["Setting", "Value"], rows)
    models = run.get("models")
    specs = config.get("models", {}) if isinstance(config.get("models"), dict) else {}
    if isinstance(models, dict) and models:
        lines += ["### Models", ""]
        model_rows = []
        for role, label in models.items():
            spec = specs.get(role) or specs.get("default") or {}
            spec = spec if isinstance(spec, dict) else {}
            model_rows.append(
                [role, label, spec.get("temperature"), spec.get("top_p"), spec.get("max_tokens")]
            )
        lines += _table(["Role", "Model", "Temperature", "top_p", "max_tokens"], model_rows)
    usage = run.get("usage")
    if isinstance(usage, dict) and usage:
        lines += ["### Model usage", ""]
        lines += _table(
            ["Role", "Calls", "Input tokens", "Output tokens"],
            [
                [role, u.get("calls"), u.get("input_tokens"), u.get("output_tokens")]
                for role, u in usage.items()
                if isinstance(u, dict)
            ],
        )
    if config:
        lines += ["### Pipeline settings", ""]
        critic = (
            config.get("critic", {}).get("rules", [])
            if isinstance(config.get("critic"), dict)
            else []
        )
        settings = [
            ["critic rules", ", ".join(r.get("name", "?") for r in critic if isinstance(r, dict))],
            ["writer", config.get("writer")],
            ["noise", config.get("noise")],
            ["duplicate store", config.get("store")],
            ["persona ratings", (config.get("persona") or {}).get("ratings")],
            ["persona length", (config.get("persona") or {}).get("length")],
            ["category", (config.get("category") or {}).get("name")],
        ]
        lines += _table(["Part", "Settings"], [row for row in settings if row[1]])
    return lines


def _contents(metrics: dict[str, Any]) -> list[str]:
    syn = metrics["inputs"]["synthetic"]
    lines = [
        "## What it contains",
        "",
        f"- {syn['rows']:,} reviews with text, read from `{syn['source']}`.",
    ]
    ratings = syn.get("ratings") or {}
    if ratings:
        total = sum(ratings.values())
        mix = ", ".join(f"{star}★ {count / total:.0%}" for star, count in ratings.items())
        lines.append(f"- Star ratings: {mix}.")
    products = syn.get("products") or {}
    if products.get("distinct"):
        top = ", ".join(f"{name} ({count})" for name, count in products["top"][:5])
        lines.append(f"- {products['distinct']:,} products; most reviewed: {top}.")
    return [*lines, ""]


def _evaluation(metrics: dict[str, Any]) -> list[str]:
    inputs = metrics["inputs"]
    holdout = inputs["holdout"]
    held = (
        "a seeded split of the reference"
        if holdout["split_from_reference"]
        else f"`{holdout['source']}`"
    )
    lines = [
        "## Evaluation",
        "",
        f"Compared with {inputs['reference']['rows']:,} real reviews from "
        f"`{inputs['reference']['source']}` ({holdout['rows']:,} more held out: {held}) by "
        f"`reviewgen evaluate` on {metrics['created_at']}. Overall: **{metrics['overall']}**.",
        "",
    ]
    lines += [f"> **Warning:** {w}" for w in metrics.get("warnings", [])]
    if metrics.get("warnings"):
        lines.append("")
    lines += _table(
        ["Check", "Value", "Status", "Thresholds", "Meaning"],
        [
            [
                r["check"],
                r["value"],
                r["status"],
                r["rule"],
                r["meaning"] + (f" ({r['note']})" if r.get("note") else ""),
            ]
            for r in metrics["scorecard"]
        ],
    )
    return lines + _detectors(metrics)


def _detectors(metrics: dict[str, Any]) -> list[str]:
    realism = metrics.get("realism", {})
    if realism.get("status") != "ok":
        return []
    marks = metrics.get("independence", {}).get("not_independent", {})
    low, high = realism["auc_ci95"]
    lines = [
        f"Detector families (ROC-AUC, 0.5 = indistinguishable). The headline is the worst: "
        f"**{realism['family_worst']}**, AUC {realism['auc']:.3f} (95% CI {low:.3f}–{high:.3f}).",
        "",
    ]
    rows = []
    for name, family in realism["families"].items():
        label = family.get("label", name)
        if family.get("model"):
            label += f" ({family['model']})"
        if f"auc_{name}" in marks:
            label += " (also used as a filter in this run: not independent)"
        ok = family.get("status") == "ok"
        rows.append(
            [
                name,
                label,
                family["auc"] if ok else family.get("status"),
                f"{family['auc_ci95'][0]:.3f}–{family['auc_ci95'][1]:.3f}"
                if ok
                else family.get("reason"),
            ]
        )
    lines += _table(["Family", "Detector", "AUC", "95% CI / reason"], rows)
    return [*lines, "Full numbers: `metrics.json`; plots: `report.html`.", ""]


INTENDED_USE = """## Intended use

- Building and testing systems that handle reviews: sentiment and topic classifiers,
  moderation, search and summarisation pipelines, dashboards, load and UI tests.
- Augmenting scarce real training data, after checking the utility numbers above.
- Teaching and demonstrations, labelled as synthetic.

## Not for

- Posting as real reviews on any shop, marketplace, app store or social network, or otherwise
  presenting them as the opinions of real customers. The people, experiences and opinions in
  these reviews are invented.
- Drawing conclusions about the real products named: the model wrote what it was asked to.
- Removing or hiding the `synthetic: true` marker.

## Limitations

- Realism and diversity are measured against the reference set only; a different real
  population may score differently.
- Copies are found with a character n-gram embedder: it catches verbatim copies and light edits,
  not paraphrases.
- Personal-data detection is pattern-based and can miss or over-report.
"""


def render_card(metrics: dict[str, Any], run: dict[str, Any] | None, source: str) -> str:
    lines = [
        "# Dataset card: synthetic reviews",
        "",
        "> **Every record in this dataset is synthetic.** The reviews were machine-generated "
        "(reviewgen marks each record `synthetic: true`). They are for building and testing "
        "systems, not for posting as real reviews.",
        "",
    ]
    lines += _contents(metrics) + _generation(run, source) + _evaluation(metrics)
    return "\n".join(lines) + "\n" + INTENDED_USE
