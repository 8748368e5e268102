"""The study's report as one HTML section, ready to be placed in the evaluate report.

Plain tables without scripts; every value from the study (names, ids, review excerpts) is
escaped, as a review may contain markup.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _rate(block: dict[str, Any]) -> str:
    if block["rate"] is None:
        return "–"
    low, high = block["ci95"]
    return f"{block['rate']:.1%} ({low:.1%}–{high:.1%}), {block['hits']}/{block['n']}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """``rows`` hold plain text; it is escaped here."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _group_table(title: str, groups: dict[str, Any]) -> str:
    rows = [
        [key, _rate(value["accuracy"]), _rate(value["synthetic_caught"])]
        for key, value in groups.items()
    ]
    return _table([title, "accuracy (95% CI)", "synthetic caught"], rows)


def _block(title: str, block: dict[str, Any]) -> str:
    accuracy = block["accuracy"]
    verdict = (
        "no answers yet"
        if accuracy["rate"] is None
        else f"accuracy {_rate(accuracy)}, p = {accuracy['p_value']:.3g} against chance (50%)"
    )
    parts = [
        f"<h3>{escape(title)}</h3>",
        f"<p>{escape(verdict)}; synthetic caught {escape(_rate(block['synthetic_caught']))}; "
        f"real accepted {escape(_rate(block['real_accepted']))}.</p>",
    ]
    agreement = block.get("agreement")
    if agreement is not None:
        parts.append(
            f"<p>Agreement among {agreement['raters']} raters: Krippendorff's alpha "
            f"{_number(agreement['krippendorff_alpha'])} ({agreement['alpha_items']} items), "
            f"Fleiss' kappa {_number(agreement['fleiss_kappa'])} "
            f"({agreement['kappa_items']} items answered by all).</p>"
        )
    parts.append(
        _table(
            ["rater", "answered", "accuracy (95% CI)"],
            [
                [r["rater"], f"{r['answered']}/{r['assigned']}", _rate(r["accuracy"])]
                for r in block["per_rater"]
            ],
        )
    )
    parts.append(_group_table("stars", block["by_stars"]))
    parts.append(_group_table("length (words)", block["by_length"]))
    if block["caught_most"]:
        parts.append("<h4>Synthetic reviews caught most often</h4>")
        parts.append(
            _table(
                ["id", "caught", "stars", "words", "text"],
                [
                    [
                        str(c["id"]),
                        f"{c['caught']}/{c['answers']}",
                        "–" if c["stars"] is None else str(c["stars"]),
                        str(c["words"]),
                        c["text"],
                    ]
                    for c in block["caught_most"]
                ],
            )
        )
    return "".join(parts)


def render_section(report: dict[str, Any]) -> str:
    """``<section>`` with the people's results, then each model rater's, apart."""
    study = report["study"]
    parts = [
        '<section class="human-study"><h2>Human evaluation</h2>',
        f'<p class="meaning">A blind study: {study["items"]} reviews ({study["synthetic"]} '
        f"synthetic, {study['real']} real) shown one at a time; raters said real or synthetic. "
        "Accuracy near 50% means the synthetic reviews pass for real. "
        f"{escape(report['methods']['interval'])}.</p>",
        _block(f"People ({study['people']})", report["people"]),
    ]
    for name, block in report["models"].items():
        parts.append(_block(f"Model rater {name} (not pooled with people)", block))
    parts.append("</section>")
    return "".join(parts)
