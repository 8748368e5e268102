"""Multinomial naive Bayes on word 1-2-gram counts: a second lexical detector.

It weighs every word by how much more often one set uses it, with no regularisation to
spread the weight: a classifier of another kind than the logistic regression of ``tfidf_lr``
(and of the ``realism.v1`` critic rule) on similar evidence.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

from reviewgen.evaluation.detectors.crossval import Draw, FamilyDraw, TrainedFamily, cross_validate


def _log_odds(model: MultinomialNB, x: object) -> np.ndarray:
    joint = model.predict_joint_log_proba(x)
    return joint[:, 1] - joint[:, 0]


def run(draw: Draw) -> FamilyDraw | None:
    vectorizer = CountVectorizer(ngram_range=(1, 2), min_df=2, dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(draw.texts)
    except ValueError:  # no n-gram occurs twice
        return None
    return cross_validate(draw, counts, lambda x, y: MultinomialNB().fit(x, y), _log_odds)


FAMILY = TrainedFamily("naive_bayes", "multinomial naive Bayes, word 1-2-gram counts", run)
