"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no fonts)."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from reviewgen.evaluation.svg import HOLDOUT, REAL, SYNTHETIC, bar_chart, horizontal_bars, number

SYN, REF = "synthetic", "real"


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return escape(str(value))


def _spread(summary: dict[str, Any]) -> str:
    """Median (p10–p90)."""
    return f"{_fmt(summary['median'], 0)} ({_fmt(summary['p10'], 0)}–{_fmt(summary['p90'], 0)})"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _table(headers: list[str], rows: list[list[str]], numeric: tuple[int, ...] = ()) -> str:
    """Cells are HTML already; columns listed in ``numeric`` are right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i in numeric else "text"}">{cell}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _badge(status: str) -> str:
    css = {"pass": "pass", "warn": "warn", "fail": "fail"}.get(status, "na")
    return f'<span class="badge {css}">{escape(status)}</span>'


def _section(title: str, meaning: str, content: str) -> str:
    return f'<h2>{escape(title)}</h2><p class="meaning">{escape(meaning)}</p>{content}'


def _missing(block: dict[str, Any]) -> str | None:
    if block.get("status") == "ok":
        return None
    return f'<p class="nodata">Not enough data: {escape(block.get("reason", "not computed"))}</p>'


def _header(m: dict[str, Any]) -> str:
    inputs = m["inputs"]
    holdout = inputs["holdout"]
    holdout_source = (
        f"{holdout['rows']:,} rows split from the reference (seeded)"
        if holdout["split_from_reference"]
        else f"{escape(str(holdout['source']))} ({holdout['rows']:,} rows)"
    )
    rows = [
        [
            "Synthetic",
            f"{escape(str(inputs['synthetic']['source']))}",
            f"{inputs['synthetic']['rows']:,}",
        ],
        [
            "Reference (real)",
            f"{escape(str(inputs['reference']['source']))}",
            f"{inputs['reference']['rows']:,}",
        ],
        ["Holdout (real)", holdout_source, f"{holdout['rows']:,}"],
    ]
    warnings = "".join(
        f'<p class="notice"><b>Warning:</b> {escape(w)}</p>' for w in m.get("warnings", [])
    )
    return (
        "<h1>Synthetic review evaluation</h1>"
        f'<p class="muted">{escape(m["generator"])} · {escape(m["created_at"])} · '
        f"{m['seconds']} s · schema <code>{escape(m['schema'])}</code></p>"
        '<p class="notice">Every review in the evaluated synthetic set is machine-generated. '
        "It is for building and testing systems, not for posting as real customer reviews.</p>"
        + warnings
        + _table(["Set", "Source", "Rows"], rows, numeric=(2,))
        + f'<p class="muted">Heavier checks use a seeded sample of at most '
        f"{m['options']['max_sample']:,} reviews per set; lengths, ratings, topics, personal "
        "data and copies use every row.</p>"
    )


def _meaning_and_note(row: dict[str, Any]) -> str:
    note = row.get("note")
    return escape(row["meaning"]) + (f'<br><i class="muted">{escape(note)}</i>' if note else "")


def _scorecard(m: dict[str, Any]) -> str:
    rows = [
        [
            escape(r["check"]) + ("" if r.get("independent", True) else " *"),
            _fmt(r["value"], 4),
            _badge(r["status"]),
            escape(r["rule"]),
            _meaning_and_note(r),
        ]
        for r in m["scorecard"]
    ]
    return (
        f"<h2>Score card</h2><p>Overall: {_badge(m['overall'])} "
        '<span class="muted">(worst check; n/a = not enough data; * = measured with a tool '
        "the run also filtered with, so not independent)</span></p>"
        + _table(["Check", "Value", "Status", "Thresholds", "What it means"], rows, (1,))
    )


def _independence(m: dict[str, Any]) -> str:
    block = m.get("independence", {})
    title = "Independence from the run"
    meaning = (
        "Which metrics were measured with a tool the run also filtered drafts with, and whether "
        "the real reviews here are ones the generator saw."
    )
    if block.get("status") != "ok":
        return _section(
            title, meaning, f'<p class="nodata">Not checked: {escape(block.get("reason", ""))}</p>'
        )
    filters = ", ".join(f"<code>{escape(f)}</code>" for f in block["filters"]) or "none"
    content = f"<p>Run: <code>{escape(block['run'])}</code>. Critic rules: {filters}.</p>"
    marks = block["not_independent"]
    if marks:
        rows = [[f"<code>{escape(k)}</code>", escape(v)] for k, v in marks.items()]
        content += "<h3>Also used as a filter in this run: not independent</h3>" + _table(
            ["Metric", "Filter"], rows
        )
    overlap = block.get("reference_overlap", {})
    if overlap.get("status") == "ok":
        content += (
            f"<p>Real reviews here that the generator saw in its reference "
            f"(<code>{escape(overlap['run_reference'])}</code>"
            + (
                f", less the {overlap['run_holdout_fraction']:.0%} it held out"
                if overlap["run_holdout_fraction"]
                else ""
            )
            + f"): <b>{overlap['in_common']:,}</b> of {overlap['evaluation_real_rows']:,}.</p>"
        )
    else:
        content += (
            f'<p class="muted">Reference overlap not checked: {escape(overlap["reason"])}</p>'
        )
    return _section(title, meaning, content)


def _shape(m: dict[str, Any]) -> str:
    s = m["shape"]
    missing = _missing(s)
    if missing:
        return _section("Shape", "Lengths and star ratings.", missing)
    charts, rows = [], []
    for measure in ("words", "characters", "sentences"):
        block = s[measure]
        hist = block["histogram"]
        labels = [str(e) for e in hist["edges"][:-1]]
        labels[-1] = f"≥{hist['tail_from']}"
        charts.append(
            bar_chart(
                labels,
                [(SYN, SYNTHETIC, hist[SYN]), (REF, REAL, hist[REF])],
                title=f"{measure.capitalize()} per review (share of reviews)",
                width=360,
            )
        )
        rows.append(
            [
                measure,
                _spread(block[SYN]),
                _spread(block[REF]),
                _fmt(block["ks"]),
                _fmt(block["wasserstein"], 2),
            ]
        )
    content = f'<div class="charts">{"".join(charts)}</div>' + _table(
        ["Measure", "Synthetic median (p10–p90)", "Real median (p10–p90)", "KS", "Wasserstein"],
        rows,
        numeric=(1, 2, 3, 4),
    )
    content += (
        '<p class="muted">KS: largest gap between the two cumulative distributions (0 = same, '
        "1 = disjoint). Wasserstein: how far, in words/characters/sentences, one distribution "
        "must move to become the other.</p>"
    )
    long = s["long_reviews"]
    content += (
        f"<p>Reviews over {long['words_over']} words: synthetic <b>{_pct(long[SYN])}</b>, real "
        f"<b>{_pct(long[REF])}</b> (gap {_pct(long['gap'])}).</p>"
    )
    ratings = s["ratings"]
    content += "<h3>Star ratings</h3>"
    content += _missing(ratings) or (
        bar_chart(
            ["1★", "2★", "3★", "4★", "5★"],
            [
                (SYN, SYNTHETIC, list(ratings[SYN].values())),
                (REF, REAL, list(ratings[REF].values())),
            ],
            title="Share of reviews by star rating",
        )
        + f"<p>Total-variation distance <b>{_fmt(ratings['tv'])}</b> "
        '<span class="muted">(share of reviews that would have to change rating to match; '
        "0 = same mix)</span></p>"
    )
    return _section(
        "Shape", "Do synthetic reviews have the lengths and ratings of real ones?", content
    )


def _sentiment(m: dict[str, Any]) -> str:
    s = m["sentiment"]
    title, meaning = "Sentiment", "Does the tone (VADER compound, −1..1) match the stars?"
    missing = _missing(s)
    if missing:
        return _section(title, meaning, missing)
    content = (
        f"<p>Mean compound: synthetic <b>{_fmt(s['mean_compound'][SYN])}</b>, "
        f"real <b>{_fmt(s['mean_compound'][REF])}</b>.</p>"
    )
    by = s["by_rating"]
    content += _missing(by) or bar_chart(
        ["1★", "2★", "3★", "4★", "5★"],
        [
            (SYN, SYNTHETIC, [v["mean"] for v in by[SYN].values()]),
            (REF, REAL, [v["mean"] for v in by[REF].values()]),
        ],
        title="Mean VADER compound by star rating",
        value_format=number,
    )
    agreement = s["agreement"]
    content += _missing(agreement) or (
        f"<p>Rating/sentiment agreement (compound &gt; 0 for 4–5★, &lt; 0 for 1–2★; 3★ left out): "
        f"synthetic <b>{_pct(agreement[SYN])}</b> of {agreement['synthetic_n']:,}, "
        f"real <b>{_pct(agreement[REF])}</b> of {agreement['real_n']:,}.</p>"
    )
    return _section(title, meaning, content)


def _topics(m: dict[str, Any]) -> str:
    t = m["topics"]
    title, meaning = "Topics", "Share of reviews that mention each aspect (config lexicon)."
    missing = _missing(t)
    if missing:
        return _section(title, meaning, missing)
    aspects = list(t["aspects"])
    chart = horizontal_bars(
        aspects,
        [
            (SYN, SYNTHETIC, [t["aspects"][a][SYN] for a in aspects]),
            (REF, REAL, [t["aspects"][a][REF] for a in aspects]),
        ],
        title="Reviews mentioning the aspect",
    )
    return _section(
        title,
        meaning,
        chart + f"<p>Largest gap <b>{_pct(t['max_abs_gap'])}</b>, mean gap "
        f"<b>{_pct(t['mean_abs_gap'])}</b>.</p>",
    )


def _auc_spread(r: dict[str, Any]) -> str:
    if len(r.get("draw_aucs", [])) > 1:
        return "draws " + ", ".join(_fmt(a) for a in r["draw_aucs"])
    if r.get("fold_aucs"):
        return "folds " + ", ".join(_fmt(a) for a in r["fold_aucs"])
    return f"{r['n_per_set']:,} per set, no training"


def _family_rows(r: dict[str, Any], marks: dict[str, str]) -> list[list[str]]:
    rows = []
    for name, family in r["families"].items():
        label = escape(family.get("label", name))
        if name == "zero_shot" and family.get("model"):
            label += f" ({escape(family['model'])})"
        if f"auc_{name}" in marks:
            label += '<br><i class="muted">also used as a filter in this run: not independent</i>'
        if family.get("status") != "ok":
            reason = escape(family.get("reason", family.get("status", "")))
            rows.append([f"<code>{name}</code>", label, "–", "–", f"{family['status']}: {reason}"])
            continue
        low, high = family["auc_ci95"]
        rows.append(
            [
                f"<code>{name}</code>" + (" <b>(worst)</b>" if name == r["family_worst"] else ""),
                label,
                _fmt(family["auc"]),
                f"{_fmt(low)}–{_fmt(high)}",
                _auc_spread(family),
            ]
        )
    return rows


def _giveaway_tables(family: dict[str, Any]) -> str:
    content = (
        "<h3>What gives the synthetic set away (TF-IDF + logistic regression)</h3>"
        '<p class="muted">N-grams the classifier weighs most towards "synthetic", with the share '
        "of reviews in each set that use them (in character n-grams, ␣ marks a word boundary). "
        "Frequent in synthetic, rare in real: candidates for the prompt or critic to "
        "discourage.</p>"
    )
    for kind, label, space in (("word", "Word n-grams", " "), ("char", "Character n-grams", "␣")):
        rows = [
            [
                f"<code>{escape(g['ngram'].replace(' ', space))}</code>",
                _fmt(g["weight"], 2),
                _pct(g["synthetic_share"]),
                _pct(g["real_share"]),
            ]
            for g in family["giveaways"][kind]
        ]
        content += f"<h3>{label}</h3>" + (
            _table(["n-gram", "Weight", "Synthetic", "Real"], rows, numeric=(1, 2, 3))
            if rows
            else '<p class="muted">none</p>'
        )
    return content


def _style_table(family: dict[str, Any]) -> str:
    rows = [
        [
            f"<code>{escape(f['feature'])}</code>",
            _fmt(f[f"{SYN}_mean"]),
            _fmt(f[f"{REF}_mean"]),
            f"{f['effect_size']:+.2f}",
        ]
        for f in family["largest_differences"]
    ]
    return (
        "<h3>Style: the largest differences (stylometric features)</h3>"
        '<p class="muted">Mean per review; effect size = difference in pooled standard '
        "deviations (±0.2 small, ±0.8 large).</p>"
        + _table(["Feature", "Synthetic", "Real", "Effect size"], rows, numeric=(1, 2, 3))
    )


def _realism(m: dict[str, Any]) -> str:
    r = m["realism"]
    title = "Realism (detector families)"
    meaning = (
        "Four kinds of detector try to tell synthetic from real: ROC-AUC 0.5 = "
        "indistinguishable, 1.0 = always told apart. The trained ones are 5-fold "
        "cross-validated on the same balanced samples; the headline is the worst family."
    )
    missing = _missing(r)
    if missing:
        return _section(title, meaning, missing)
    marks = m.get("independence", {}).get("not_independent", {})
    low, high = r["auc_ci95"]
    content = (
        f'<p><span class="big">AUC {_fmt(r["auc"])}</span> ({escape(r["family_worst"])}, '
        f"the worst family; 95% CI {_fmt(low)}–{_fmt(high)}) on {r['n_per_set']:,} reviews per "
        f"set. Detection score <b>{_fmt(r['detection_score'])}</b> "
        '<span class="muted">(1 − (2·max(AUC, 0.5) − 1); 1 = undetectable)</span>.</p>'
        + _table(
            ["Family", "Detector", "AUC", "95% CI", "Spread"],
            _family_rows(r, marks),
            numeric=(2, 3),
        )
    )
    zero = r["families"].get("zero_shot", {})
    if zero.get("status") == "ok":
        content += (
            f'<p class="muted">Zero-shot: {escape(zero["model"])} scored '
            f"{zero['n_per_set']:,} reviews per set (first {zero['max_tokens']} tokens, "
            f"{_fmt(zero['seconds_per_text'], 2)} s per review); mean criterion synthetic "
            f"{_fmt(zero['criterion_mean'][SYN], 2)}, real {_fmt(zero['criterion_mean'][REF], 2)} "
            f"(AUC with synthetic scoring higher: {_fmt(zero['auc_synthetic_higher'])}).</p>"
        )
    tfidf = r["families"].get("tfidf_lr", {})
    if tfidf.get("status") == "ok":
        content += _giveaway_tables(tfidf)
    style = r["families"].get("stylometric", {})
    if style.get("status") == "ok":
        content += _style_table(style)
    return _section(title, meaning, content)


def _phrases(m: dict[str, Any]) -> str:
    ph = m["phrases"]
    title = "Stock phrases"
    meaning = "Assistant-style phrases per 1,000 words in each set's sample."
    missing = _missing(ph)
    if missing:
        return _section(title, meaning, missing)
    rate = ph["per_1k_words"]
    content = (
        f"<p>Synthetic <b>{_fmt(rate[SYN], 2)}</b>, real <b>{_fmt(rate[REF], 2)}</b> per 1,000 "
        f"words: ratio <b>{_fmt(ph['ratio'], 2)}</b> (1 = as often as real reviews).</p>"
    )
    rows = [
        [
            f"<code>{escape(t['phrase'])}</code>",
            _fmt(t["synthetic_per_1k_words"], 2),
            _fmt(t["real_per_1k_words"], 2),
        ]
        for t in ph["top"]
    ]
    if rows:
        content += "<h3>Most over-used</h3>" + _table(
            ["Phrase", "Synthetic", "Real"], rows, numeric=(1, 2)
        )
    return _section(title, meaning, content)


def _diversity(m: dict[str, Any]) -> str:
    d = m["diversity"]
    title = "Diversity"
    meaning = f"Repetition within each set, on equal-size samples ({d.get('n_per_set', 0):,} each)."
    missing = _missing(d)
    if missing:
        return _section(title, meaning, missing)
    rows = [
        [
            f"distinct-{n}",
            _fmt(d[f"distinct_{n}"][SYN]),
            _fmt(d[f"distinct_{n}"][REF]),
            f"unique word {n}-grams / all {n}-grams (higher = more varied)",
        ]
        for n in (1, 2, 3)
    ]
    rows.append(
        [
            "gzip compression ratio",
            _fmt(d["compression_ratio"][SYN]),
            _fmt(d["compression_ratio"][REF]),
            "raw / compressed size (higher = more repetitive)",
        ]
    )
    dup = d.get("near_duplicate_rate", {})
    if dup.get("status") == "ok":
        rows.append(
            [
                "near-duplicate rate",
                _pct(dup[SYN]),
                _pct(dup[REF]),
                f"reviews with another review of the same set at cosine ≥ {dup['threshold']}",
            ]
        )
    return _section(
        title, meaning, _table(["Measure", "Synthetic", "Real", "Meaning"], rows, (1, 2))
    )


def _uniqueness(m: dict[str, Any]) -> str:
    u = m["uniqueness"]
    title = "Uniqueness vs. the source"
    meaning = (
        "Nearest-neighbour cosine similarity to the real reviews, with the generator's "
        "duplicate-store embedder."
    )
    missing = _missing(u)
    if missing:
        return _section(title, meaning, missing)
    content = (
        f'<p class="muted">Embedder {escape(u["embedder"])}, copy threshold {u["threshold"]}.</p>'
    )
    dcr = u["dcr"]
    content += "<h3>Closer to the reference than real reviews are (memorisation)</h3>"
    if dcr.get("status") == "ok":
        hist = dcr["histogram"]
        edges = hist["edges"]
        width = edges[1] - edges[0]
        content += bar_chart(
            [f"{e:.2f}" for e in edges[:-1]],
            [(SYN, SYNTHETIC, hist[SYN]), ("real holdout", HOLDOUT, hist["holdout"])],
            title="Similarity to the nearest reference review",
            width=560,
            marker=(dcr["holdout_p99"] / width, "holdout p99"),
        )
        content += (
            f"<p><b>{_pct(dcr['closer_than_holdout_share'])}</b> of synthetic reviews are closer "
            f"to their nearest reference review than 99% of held-out real reviews are "
            f"(similarity &gt; {_fmt(dcr['holdout_p99'])}); a generator that does not memorise "
            f"lands near {_pct(dcr['expected_share'])}. Median similarity: synthetic "
            f"{_fmt(dcr['synthetic_nn']['median'])}, "
            f"holdout {_fmt(dcr['holdout_nn']['median'])}.</p>"
        )
    else:
        content += _missing(dcr) or ""
    copies = u["copies"]
    content += (
        "<h3>Near-copies of real reviews</h3>"
        f"<p><b>{copies['count']:,}</b> synthetic reviews ({_pct(copies['rate'])}) are at "
        f"similarity ≥ {u['threshold']} to a real review, {copies['exact']:,} of them "
        f"identical up to case and spacing; held-out real reviews: "
        f"{_pct(copies['holdout_rate'])}.</p>"
    )
    if copies["examples"]:
        rows = [[_fmt(c["similarity"]), escape(c[SYN]), escape(c[REF])] for c in copies["examples"]]
        content += _table(["Similarity", "Synthetic", "Closest real"], rows, numeric=(0,))
    return _section(title, meaning, content)


def _utility(m: dict[str, Any]) -> str:
    u = m["utility"]
    title = "Utility (train on synthetic, test on real)"
    meaning = (
        "A sentiment classifier (4–5★ vs 1–2★, TF-IDF + logistic regression) trained on each "
        "set and scored on the same held-out real reviews."
    )
    missing = _missing(u)
    if missing:
        return _section(title, meaning, missing)
    rows = [
        [name, f"{size:,}", _fmt(u[key]["accuracy"]), _fmt(u[key]["f1"])]
        for name, key, size in (
            ("real", "train_real", u["n_train"]),
            ("synthetic", "train_synthetic", u["n_train"]),
            ("real + synthetic", "train_real_plus_synthetic", 2 * u["n_train"]),
        )
    ]
    content = _table(["Trained on", "Training reviews", "Accuracy", "Macro-F1"], rows, (1, 2, 3))
    content += (
        f"<p>Synthetic / real macro-F1: <b>{_fmt(u['f1_ratio'])}</b> "
        f"(1.0 = as useful as real data); adding synthetic to real changes macro-F1 by "
        f"<b>{u['augmentation_gain_f1']:+.3f}</b>. Test set: {u['n_test']:,} real reviews, "
        f"{_pct(u['test_positive_share'])} positive.</p>"
    )
    return _section(title, meaning, content)


def _privacy(m: dict[str, Any]) -> str:
    p = m["privacy"]
    title = "Privacy"
    meaning = "Personal data in the synthetic set (same detector as the generator's pii.v1 critic)."
    missing = _missing(p)
    if missing:
        return _section(title, meaning, missing)
    content = (
        f"<p><b>{p['rows_with_pii']:,}</b> of {p['rows']:,} synthetic reviews "
        f"({_pct(p['rate'])}) contain something that looks like personal data.</p>"
    )
    if p["by_kind"]:
        content += _table(
            ["Kind", "Reviews", "Spans"],
            [[escape(k), f"{v['rows']:,}", f"{v['spans']:,}"] for k, v in p["by_kind"].items()],
            numeric=(1, 2),
        )
        rows = [[escape(e["kind"]), escape(e["excerpt"])] for e in p["examples"]]
        content += "<h3>Examples (detected spans masked)</h3>" + _table(["Kind", "Excerpt"], rows)
    return _section(title, meaning, content)


def render_html(metrics: dict[str, Any], extra_sections: list[str] | None = None) -> str:
    """The page; ``extra_sections`` are ready HTML (escaped by their maker) added at the end."""
    body = "".join(
        part(metrics)
        for part in (
            _header,
            _scorecard,
            _independence,
            _shape,
            _sentiment,
            _topics,
            _realism,
            _diversity,
            _phrases,
            _uniqueness,
            _utility,
            _privacy,
        )
    ) + "".join(extra_sections or [])
    template = Template(
        files("reviewgen.evaluation").joinpath("report_template.html").read_text("utf-8")
    )
    return template.substitute(title="Synthetic review evaluation", body=body)
