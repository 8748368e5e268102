"""``realism.v1``: fail the drafts a real-vs-synthetic classifier finds least like real reviews.

The rule learns from the run itself. Every draft the critic sees is synthetic, and the
reference reviews are real. After ``warmup`` drafts it fits a classifier on both (TF-IDF word
and character n-grams, logistic regression), and refits when their count reaches a power of
two (64, 128, ...; past ``max_drafts``, every ``max_drafts`` drafts, on the latest), so
fitting stays a small share of the run. It fails the ``reject_share`` of drafts it scores as
most synthetic. The cut-off is that quantile of the scores of the drafts seen since the last
fit; right after a fit, when there are few, it comes from out-of-fold scores, since a
classifier scores its own training drafts too confidently.

It is the same family of classifier as the evaluation's realism test, so that test may
overstate the gain; docs/HISTORY.md (realism of reference runs) has the effect on it and on
two other detectors. Without a reference the rule passes every draft: it has nothing real to learn
from. Drafts arrive in a fixed order at concurrency 1, so such a run stays reproducible.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule

MIN_SCORES = 20  # drafts scored by a fit before their own quantile sets the cut-off
RECENT = 256  # drafts back to look for a draft reviewed again


class RealismParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reject_share: float = Field(
        0.3, ge=0.0, lt=1.0, description="share of drafts failed: those most synthetic-looking"
    )
    warmup: int = Field(40, ge=10, description="drafts seen before the first fit")
    max_real: int = Field(2000, ge=50, description="reference reviews the classifier learns from")
    max_drafts: int = Field(
        4096, ge=64, description="recent drafts it learns from; past them it refits every as many"
    )


class Detector:
    """Real (0) vs synthetic (1); ``threshold`` cuts off the top share of synthetic scores."""

    def __init__(self, real: Sequence[str], synthetic: Sequence[str], share: float) -> None:
        texts = [*real, *synthetic]
        labels = np.array([0] * len(real) + [1] * len(synthetic))
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True
        )
        matrix = hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts)]).tocsr()
        folds = StratifiedKFold(3, shuffle=True, random_state=0)
        held_out = cross_val_predict(
            self._classifier(), matrix, labels, cv=folds, method="decision_function"
        )
        self.threshold = float(np.quantile(held_out[labels == 1], 1.0 - share))
        self.model = self._classifier().fit(matrix, labels)
        self.vocabulary = self.words.get_feature_names_out()

    @staticmethod
    def _classifier() -> LogisticRegression:
        return LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")

    def score(self, text: str) -> tuple[float, list[str]]:
        """The decision score, and the draft's word n-grams that pull it most to synthetic."""
        words = self.words.transform([text])
        matrix = hstack([words, self.chars.transform([text])]).tocsr()
        score = float(self.model.decision_function(matrix)[0])
        weights = self.model.coef_[0][words.indices]
        order = np.argsort(-weights * words.data)[:3]
        return score, [str(self.vocabulary[words.indices[i]]) for i in order if weights[i] > 0]


@register_rule("realism.v1")
class RealismRule(CriticRule):
    """Fail the most synthetic-looking drafts of a run with a reference."""

    Params = RealismParams

    def __init__(self, params: BaseModel | None = None, *, name: str = "") -> None:
        super().__init__(params, name=name)
        p: RealismParams = self.params  # type: ignore[assignment]
        # Bounded, so a run of millions keeps its memory and its fits small.
        self._drafts: deque[str] = deque(maxlen=p.max_drafts)
        self._count = 0
        self._detector: Detector | None = None
        self._scores: list[float] = []  # of the drafts scored since the last fit

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: RealismParams = self.params  # type: ignore[assignment]
        if not context.reference_texts:
            return self.ok(skipped="no reference reviews to compare with")
        # A draft re-aimed at other targets is reviewed again: learn from it and count its
        # score once. The second review comes before RECENT other drafts at any concurrency.
        new = draft not in itertools.islice(reversed(self._drafts), RECENT)
        if new:
            self._drafts.append(draft)
            self._count += 1
            if self._fit_due(p):
                self._detector = Detector(self._real(context, p), self._drafts, p.reject_share)
                self._scores = []
        if self._detector is None:
            return self.ok(warming_up=self._count)
        score, pulls = self._detector.score(draft)
        if new:
            self._scores.append(score)
        threshold = (
            float(np.quantile(self._scores, 1.0 - p.reject_share))
            if len(self._scores) >= MIN_SCORES
            else self._detector.threshold
        )
        details = {"synthetic_score": round(score, 3), "threshold": round(threshold, 3)}
        if score <= threshold:
            return self.ok(**details)
        hint = f" (here: {', '.join(repr(w) for w in pulls)})" if pulls else ""
        return self.fail(
            f"Write it the way a customer types, not like a generated review{hint}.",
            synthetic_words=pulls,
            **details,
        )

    def _fit_due(self, p: RealismParams) -> bool:
        n = self._count
        doubled = n > p.warmup and n & (n - 1) == 0 and n <= p.max_drafts
        return n == p.warmup or doubled or n % p.max_drafts == 0

    @staticmethod
    def _real(context: CriticContext, p: RealismParams) -> list[str]:
        real = list(context.reference_texts)
        return random.Random(0).sample(real, p.max_real) if len(real) > p.max_real else real
