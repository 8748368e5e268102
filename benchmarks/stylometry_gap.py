"""Which stylometric habits tell a run's reviews from real ones, and by how much.

A stylometric detector reads no words' meaning: lengths, punctuation, capitals, function words.
This script computes such features for a synthetic set and a real set, fits a logistic
regression on them (5-fold cross-validated AUC, real reviews subsampled to the synthetic count
several times) and lists the features whose means differ most (standardised mean difference,
with each feature's own AUC), so a fix can aim at the biggest gap instead of at a detector.

    PYTHONPATH=src python benchmarks/stylometry_gap.py SYNTHETIC REAL.csv [--top 15] [--save NAME]

SYNTHETIC is a run directory, a reviews.jsonl or a CSV with a ``text`` column; with ``--save``
the numbers go to ``benchmarks/results/stylometry_gap-NAME.json``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from reviewgen.core.datasets import Columns, iter_reviews
from reviewgen.text.slips import wordlist
from reviewgen.text.words import WORD_RE

RESULTS = Path(__file__).parent / "results"
FUNCTION_WORDS = wordlist(
    "the a an and but or so i me my it its this that these they we you your he she is was are "
    "were be been have has had do did not no very really just to of in on for with at from as "
    "if when then than there what all one would will can could also only after before about "
    "because"
)
PUNCTUATION = {
    "period": r"\.",
    "comma": ",",
    "exclamation": "!",
    "question": r"\?",
    "apostrophe": "['’]",
    "quote": '"',
    "dash": r"-|–|—",
    "paren": r"[()]",
    "colon": ":",
    "semicolon": ";",
    "ellipsis": r"\.{2,}|…",
    "repeated_bang": r"[!?]{2,}",
    "digit": r"\d",
    "dollar": r"\$",
    "slash": "/",
    "ampersand": "&",
}
_PUNCT = {name: re.compile(p) for name, p in PUNCTUATION.items()}
_SENTENCES = re.compile(r"[.!?]+|\n+")
_STARTS = re.compile(r"(?:\A|[.!?]\s+)([A-Za-z])")


def features(text: str) -> dict[str, float]:
    words = WORD_RE.findall(text)
    lower = [w.lower() for w in words]
    n_words = max(len(words), 1)
    chars = max(len(text), 1)
    sentences = [s for s in _SENTENCES.split(text) if s.strip()]
    lengths = [len(WORD_RE.findall(s)) for s in sentences] or [0]
    letters = [c for c in text if c.isalpha()]
    starts = _STARTS.findall(text)
    row = {
        "log_words": float(np.log1p(len(words))),
        "log_chars": float(np.log1p(len(text))),
        "sentences": float(len(sentences)),
        "words_per_sentence": float(np.mean(lengths)),
        "longest_sentence": float(max(lengths)),
        "word_length": float(np.mean([len(w) for w in words])) if words else 0.0,
        "long_word_share": sum(len(w) >= 7 for w in words) / n_words,
        "type_token": len(set(lower)) / n_words,
        "upper_share": sum(c.isupper() for c in letters) / max(len(letters), 1),
        "caps_word_share": sum(len(w) >= 3 and w.isupper() for w in words) / n_words,
        "lower_start_share": sum(s.islower() for s in starts) / max(len(starts), 1),
        "lower_i_share": lower.count("i") and sum(w == "i" for w in words) / lower.count("i"),
        "ends_unpunctuated": float(bool(text.strip()) and text.strip()[-1].isalnum()),
        "newlines": float(text.count("\n")),
    }
    for name, pattern in _PUNCT.items():
        row[f"p_{name}"] = len(pattern.findall(text)) / chars * 100
    for word in FUNCTION_WORDS:
        row[f"w_{word}"] = lower.count(word) / n_words
    return row


def read_texts(path: Path) -> list[str]:
    if path.is_dir():
        path = path / "reviews.jsonl"
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line)["text"] for line in handle if line.strip()]
    return [row.text for row in iter_reviews(path, Columns(text="text", rating=None, product=None))]


def gap(synthetic: list[str], real: list[str], *, draws: int = 5, seed: int = 0) -> dict:
    names = list(features("x"))
    syn = np.array([[f[n] for n in names] for f in map(features, synthetic)])
    ref = np.array([[f[n] for n in names] for f in map(features, real)])
    rng = np.random.default_rng(seed)
    aucs, weights = [], np.zeros(len(names))
    for draw in range(draws):
        pick = rng.choice(len(ref), size=min(len(ref), len(syn)), replace=False)
        x = np.vstack([syn, ref[pick]])
        y = np.r_[np.ones(len(syn)), np.zeros(len(pick))]
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))
        folds = StratifiedKFold(5, shuffle=True, random_state=draw)
        scores = cross_val_predict(model, x, y, cv=folds, method="decision_function")
        aucs.append(roc_auc_score(y, scores))
        weights += model.fit(x, y)[-1].coef_[0] / draws
    pooled = np.sqrt((syn.var(axis=0) + ref.var(axis=0)) / 2) + 1e-9
    smd = (syn.mean(axis=0) - ref.mean(axis=0)) / pooled
    y_all = np.r_[np.ones(len(syn)), np.zeros(len(ref))]
    rows = []
    for i, name in enumerate(names):
        values = np.r_[syn[:, i], ref[:, i]]
        single = roc_auc_score(y_all, values) if values.std() > 0 else 0.5
        rows.append(
            {
                "feature": name,
                "synthetic": round(float(syn[:, i].mean()), 4),
                "real": round(float(ref[:, i].mean()), 4),
                "smd": round(float(smd[i]), 3),
                "auc": round(float(max(single, 1 - single)), 3),
                "weight": round(float(weights[i]), 3),
            }
        )
    rows.sort(key=lambda r: -abs(r["smd"]))
    return {
        "n": {"synthetic": len(syn), "real": len(ref)},
        "auc": round(float(np.mean(aucs)), 3),
        "auc_draws": [round(float(a), 3) for a in aucs],
        "features": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("synthetic", type=Path)
    parser.add_argument("real", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--save", help="write benchmarks/results/stylometry_gap-NAME.json")
    args = parser.parse_args()
    result = gap(read_texts(args.synthetic), read_texts(args.real))
    print(f"stylometric AUC {result['auc']} (draws {result['auc_draws']}), n={result['n']}")
    print("| feature | synthetic | real | smd | auc |")
    print("|---|---|---|---|---|")
    for row in result["features"][: args.top]:
        cells = [row[k] for k in ("feature", "synthetic", "real", "smd", "auc")]
        print("| " + " | ".join(map(str, cells)) + " |")
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"stylometry_gap-{args.save}.json"
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
