"""The study's report as a few lines of text, for the terminal."""

from __future__ import annotations

from typing import Any


def _rate(block: dict[str, Any]) -> str:
    if block["rate"] is None:
        return "n/a"
    low, high = block["ci95"]
    return f"{block['rate']:.1%} [{low:.1%}, {high:.1%}] ({block['hits']}/{block['n']})"


def _groups(block: dict[str, Any]) -> str:
    return "; ".join(
        f"{key}: {value['accuracy']['rate']:.0%} of {value['accuracy']['n']}"
        for key, value in block.items()
    )


def _block_lines(title: str, block: dict[str, Any]) -> list[str]:
    accuracy = block["accuracy"]
    p_value = "" if accuracy["p_value"] is None else f", p = {accuracy['p_value']:.3g}"
    lines = [
        f"{title}: {block['answers']} answers, accuracy {_rate(accuracy)}{p_value} (chance 50%)",
        f"  synthetic caught {_rate(block['synthetic_caught'])}, "
        f"real accepted {_rate(block['real_accepted'])}",
    ]
    agreement = block.get("agreement")
    if agreement and agreement["raters"] > 1:
        alpha, kappa = agreement["krippendorff_alpha"], agreement["fleiss_kappa"]
        lines.append(
            f"  agreement ({agreement['raters']} raters): Krippendorff's alpha "
            f"{'n/a' if alpha is None else f'{alpha:.3f}'}, Fleiss' kappa "
            f"{'n/a' if kappa is None else f'{kappa:.3f}'} ({agreement['kappa_items']} items "
            "answered by all)"
        )
    for rater in block["per_rater"]:
        lines.append(
            f"  {rater['rater']}: {rater['answered']}/{rater['assigned']} answered, "
            f"accuracy {_rate(rater['accuracy'])}"
        )
    if block["by_stars"]:
        lines.append(f"  by stars: {_groups(block['by_stars'])}")
    if block["by_length"]:
        lines.append(f"  by length (words): {_groups(block['by_length'])}")
    if block["caught_most"]:
        caught = ", ".join(
            f"{c['id']} ({c['caught']}/{c['answers']})" for c in block["caught_most"]
        )
        lines.append(f"  synthetic caught most: {caught}")
    return lines


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The report in a few lines: people first, then each model rater, apart."""
    study = report["study"]
    people, models = study["people"], study["models"]
    lines = [
        f"study: {study['items']} reviews ({study['synthetic']} synthetic, {study['real']} real); "
        f"raters: {people} {'person' if people == 1 else 'people'}, "
        f"{models} {'model' if models == 1 else 'models'}"
    ]
    lines += _block_lines("people", report["people"])
    for name, block in report["models"].items():
        lines += _block_lines(f"model {name} (not pooled)", block)
    return lines
