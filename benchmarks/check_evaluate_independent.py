"""Recompute headline metrics without the evaluation package and compare with metrics.json.

Real reviews from ``../shared/data/amazon_unlocked_phones_dev.csv`` are split into a reference,
a holdout and a third part that is rewritten to look machine-made (sentences shuffled, stock
phrases added). ``reviewgen evaluate`` scores the rewritten part against the reference; this
script then recomputes, with plain scikit-learn and scipy:

- the TF-IDF detector family's AUC (word 1-2 + char_wb 2-5 TF-IDF, logistic regression, 5-fold
  stratified CV, vectorisers refitted inside each fold),
- the naive Bayes family's AUC (word 1-2-gram counts, multinomial naive Bayes, same CV),
- the KS statistic of words per review (scipy.stats.ks_2samp),
- distinct-2 of each set (unique lowercase word bigrams within reviews / all bigrams),

and fails unless each agrees with metrics.json within 0.03. Nothing is written to the repo.

    PYTHONPATH=src python benchmarks/check_evaluate_independent.py
"""

from __future__ import annotations

import csv
import itertools
import json
import random
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.stats import ks_2samp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline, make_union

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "amazon_unlocked_phones_dev.csv"
TOLERANCE = 0.03
WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")  # a word, as docs/EVALUATION.md defines it
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
OPENERS = ["Overall, ", "Honestly, ", "All in all, ", "To be honest, ", ""]
CLOSERS = [" Highly recommend!", " Would definitely buy again.", " Five stars.", "", ""]


def machine_like(text: str, rng: random.Random) -> str:
    sentences = SENTENCE_END.split(text.strip())
    rng.shuffle(sentences)
    opener = rng.choice(OPENERS)
    body = " ".join(sentences)
    if opener:
        body = opener + body[:1].lower() + body[1:]
    return body + rng.choice(CLOSERS)


def write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "rating"])
        writer.writerows(rows)
    return path


def auc(model, synthetic: list[str], real: list[str]) -> float:
    texts, labels = synthetic + real, np.repeat([1, 0], [len(synthetic), len(real)])
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    return float(cross_val_score(model, texts, labels, cv=folds, scoring="roc_auc").mean())


def tfidf_lr():
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        ),
        LogisticRegression(solver="liblinear"),
    )


def naive_bayes():
    return make_pipeline(CountVectorizer(ngram_range=(1, 2), min_df=2), MultinomialNB())


def distinct_2(texts: list[str]) -> float:
    bigrams = []
    for text in texts:
        tokens = [w.lower() for w in WORD.findall(text)]
        bigrams += list(itertools.pairwise(tokens))
    return len(set(bigrams)) / len(bigrams)


def main() -> int:
    if not DATA.exists():
        print(f"skipped: {DATA} not found", file=sys.stderr)
        return 0
    from reviewgen.cli import main as reviewgen

    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"].strip(), r["rating"]) for r in csv.DictReader(handle)]
    rng = random.Random(0)
    rng.shuffle(rows)
    reference, holdout, source = rows[:1800], rows[1800:2300], rows[2300:4100]
    synthetic = [(machine_like(text, rng), rating) for text, rating in source]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        code = reviewgen(
            [
                "evaluate", str(write(folder / "synthetic.csv", synthetic)),
                "--reference", str(write(folder / "reference.csv", reference)),
                "--holdout", str(write(folder / "holdout.csv", holdout)),
                "--out", str(folder / "report"),
                "--no-zero-shot",
            ]
        )  # fmt: skip
        if code not in (0, 1):
            return code
        metrics = json.loads((folder / "report" / "metrics.json").read_text("utf-8"))
    syn_texts, ref_texts = [t for t, _ in synthetic], [t for t, _ in reference]
    families = metrics["realism"]["families"]
    checks = [
        ("TF-IDF + LR AUC", families["tfidf_lr"]["auc"], auc(tfidf_lr(), syn_texts, ref_texts)),
        (
            "naive Bayes AUC",
            families["naive_bayes"]["auc"],
            auc(naive_bayes(), syn_texts, ref_texts),
        ),
        (
            "KS of words per review",
            metrics["shape"]["words"]["ks"],
            ks_2samp(
                [len(WORD.findall(t)) for t in syn_texts], [len(WORD.findall(t)) for t in ref_texts]
            ).statistic,
        ),
        (
            "distinct-2 synthetic",
            metrics["diversity"]["distinct_2"]["synthetic"],
            distinct_2(syn_texts),
        ),
        ("distinct-2 real", metrics["diversity"]["distinct_2"]["real"], distinct_2(ref_texts)),
    ]
    print("\n| metric | metrics.json | independent | difference |\n|---|---|---|---|")
    failed = False
    for name, reported, recomputed in checks:
        difference = abs(reported - recomputed)
        failed |= difference > TOLERANCE
        print(f"| {name} | {reported:.4f} | {recomputed:.4f} | {difference:.4f} |")
    print("FAILED: a metric disagrees by more than 0.03" if failed else "all agree within 0.03")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
