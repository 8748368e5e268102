"""The study's report: could raters tell synthetic reviews from real ones, and did they agree?

Accuracy is compared with chance (0.5: the sample is balanced) by an exact binomial test, with a
95% Wilson score interval. Agreement is Krippendorff's alpha for nominal data, which allows the
missing answers of raters who have not finished, and Fleiss' kappa over the items that every
rater answered. People and model raters are reported apart, never pooled.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from itertools import permutations
from typing import Any

from scipy.stats import binomtest

CHANCE = 0.5
LENGTH_BANDS = (("<=15", 0, 15), ("16-50", 16, 50), (">50", 51, None))
CAUGHT_TOP = 10
EXCERPT = 200  # characters of a caught review kept in the report
METHODS = {
    "interval": "Wilson score 95% interval; p-value: exact two-sided binomial test against 0.5",
    "agreement": (
        "Krippendorff's alpha (nominal; every item with 2+ answers, missing answers allowed) "
        "and Fleiss' kappa (the items every rater with answers has answered)"
    ),
}


def proportion(hits: int, n: int) -> dict[str, Any]:
    """``hits`` of ``n`` with its 95% Wilson interval and the binomial p-value against chance."""
    if n == 0:
        return {"hits": 0, "n": 0, "rate": None, "ci95": None, "p_value": None}
    test = binomtest(hits, n, CHANCE)
    interval = test.proportion_ci(0.95, method="wilson")
    return {
        "hits": hits,
        "n": n,
        "rate": hits / n,
        "ci95": [float(interval.low), float(interval.high)],
        "p_value": float(test.pvalue),
    }


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from per-item category counts (every item rated by the same number).

    None when undefined: fewer than two raters or items, or one category used throughout.
    """
    if len(counts) < 2:
        return None
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        return None
    total = len(counts) * raters
    observed = sum(
        (sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts
    ) / len(counts)
    shares = [sum(row[j] for row in counts) / total for j in range(len(counts[0]))]
    expected = sum(p * p for p in shares)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values; each unit lists the values it received.

    Units with fewer than two values are not pairable and are left out; None when there is no
    disagreement to expect (a single value throughout, or no pairable unit).
    """
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(values, 2):
            coincidences[(a, b)] += 1 / (m - 1)
    totals: Counter[Hashable] = Counter()
    for (a, _), weight in coincidences.items():
        totals[a] += weight
    n = sum(totals.values())
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    if n <= 1 or expected == 0:
        return None
    observed = sum(w for (a, b), w in coincidences.items() if a != b)
    return 1 - (n - 1) * observed / expected


def _band(words: int) -> str:
    return next(
        name for name, low, high in LENGTH_BANDS if words >= low and (high is None or words <= high)
    )


def _detection(rows: list[dict[str, Any]]) -> dict[str, Any]:
    synthetic = [r for r in rows if r["source"] == "synthetic"]
    return {
        "accuracy": proportion(sum(r["label"] == r["source"] for r in rows), len(rows)),
        "synthetic_caught": proportion(
            sum(r["label"] == "synthetic" for r in synthetic), len(synthetic)
        ),
    }


def _agreement(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_item: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows:
        by_item[row["item"]][row["rater"]] = row["label"]
    raters = sorted({row["rater"] for row in rows})
    complete = [labels for labels in by_item.values() if len(labels) == len(raters)]
    counts = [
        [sum(v == "synthetic" for v in labels.values()), sum(v == "real" for v in labels.values())]
        for labels in complete
    ]
    pairable = [list(labels.values()) for labels in by_item.values() if len(labels) > 1]
    return {
        "raters": len(raters),
        "krippendorff_alpha": krippendorff_alpha_nominal(pairable),
        "alpha_items": len(pairable),
        "fleiss_kappa": fleiss_kappa(counts) if len(raters) > 1 else None,
        "kappa_items": len(complete) if len(raters) > 1 else 0,
    }


def _caught_most(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["source"] == "synthetic":
            per_item[row["item"]].append(row)
    caught = []
    for answers in per_item.values():
        hits = sum(a["label"] == "synthetic" for a in answers)
        if hits:
            first = answers[0]
            caught.append(
                {
                    "id": first["dataset_id"],
                    "caught": hits,
                    "answers": len(answers),
                    "share": hits / len(answers),
                    "stars": first["stars"],
                    "words": first["words"],
                    "product": first["product"],
                    "text": first["text"][:EXCERPT],
                }
            )
    caught.sort(key=lambda c: (-c["share"], -c["caught"], c["id"]))
    return caught[:CAUGHT_TOP]


def rater_block(rows: list[dict[str, Any]], assigned: Counter[str]) -> dict[str, Any]:
    """Everything measured on one group of raters' answers (``rows``: answered only)."""
    real = [r for r in rows if r["source"] == "real"]
    by_rater: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_rater[row["rater"]].append(row)
    groups = {
        "by_confidence": lambda r: str(r["confidence"]),
        "by_stars": lambda r: "none" if r["stars"] is None else str(r["stars"]),
        "by_length": lambda r: _band(r["words"]),
    }
    block: dict[str, Any] = {
        "answers": len(rows),
        **_detection(rows),
        "real_accepted": proportion(sum(r["label"] == "real" for r in real), len(real)),
        "said_synthetic": proportion(sum(r["label"] == "synthetic" for r in rows), len(rows)),
        "per_rater": [
            {
                "rater": name,
                "answered": len(by_rater.get(name, [])),
                "assigned": assigned[name],
                **_detection(by_rater.get(name, [])),
            }
            for name in sorted(assigned)
        ],
    }
    for group, key_of in groups.items():
        buckets: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            buckets[key_of(row)].append(row)
        order = [b[0] for b in LENGTH_BANDS] if group == "by_length" else sorted(buckets)
        block[group] = {key: _detection(buckets[key]) for key in order if key in buckets}
    block["caught_most"] = _caught_most(rows)
    return block


def build_report(rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """The report as JSON-ready data; ``rows`` are ``Study.rows()`` (answered or not)."""
    answered = [r for r in rows if r["label"] is not None]
    items = {r["item"]: r["source"] for r in rows}
    kinds = {r["rater"]: r["rater_kind"] for r in rows}
    assigned = Counter(r["rater"] for r in rows)
    people = [r for r in answered if r["rater_kind"] == "person"]
    models = sorted(name for name, kind in kinds.items() if kind == "model")
    return {
        "study": {
            "items": len(items),
            "synthetic": sum(s == "synthetic" for s in items.values()),
            "real": sum(s == "real" for s in items.values()),
            "people": sum(kind == "person" for kind in kinds.values()),
            "models": len(models),
            "shown": {"product": meta.get("show_product"), "stars": meta.get("show_stars")},
            "created_at": meta.get("created_at"),
        },
        "chance": CHANCE,
        "methods": METHODS,
        "people": {
            **rater_block(
                people, Counter({n: c for n, c in assigned.items() if kinds[n] == "person"})
            ),
            "agreement": _agreement(people),
        },
        "models": {
            name: rater_block(
                [r for r in answered if r["rater"] == name], Counter({name: assigned[name]})
            )
            for name in models
        },
    }
