"""One streaming pass over every row: lengths, ratings, aspects and a bounded sample per set.

Per-row numbers are a few bytes each, so length and topic statistics use every row; only the
sample (at most ``max_sample`` reviews) is kept as text for the heavier checks.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.options import EvaluationOptions
from reviewgen.evaluation.sampling import Reservoir
from reviewgen.evaluation.sources import PARTS, stream_parts
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.words import sentence_count, word_count


@dataclass
class SetProfile:
    rows: int
    words: np.ndarray
    characters: np.ndarray
    sentences: np.ndarray
    ratings: Counter[int]
    aspects: Counter[str]
    products: Counter[str]
    sample: list[tuple[str, int | None]] = field(default_factory=list)


class _Profiler:
    def __init__(self, capacity: int, seed: str, lexicon: AspectLexicon | None) -> None:
        self._lexicon = lexicon
        self._words = array("I")
        self._characters = array("I")
        self._sentences = array("I")
        self._ratings: Counter[int] = Counter()
        self._aspects: Counter[str] = Counter()
        self._products: Counter[str] = Counter()
        self._sample: Reservoir[tuple[str, int | None]] = Reservoir(capacity, seed)

    def add(self, row: ReviewRow) -> None:
        text = row.text
        self._words.append(word_count(text))
        self._characters.append(len(text))
        self._sentences.append(sentence_count(text))
        if row.rating is not None:
            self._ratings[row.rating] += 1
        if row.product:
            self._products[row.product] += 1
        if self._lexicon is not None:
            self._aspects.update(self._lexicon.mentions(text))
        self._sample.offer((text, row.rating))

    def finish(self) -> SetProfile:
        return SetProfile(
            rows=len(self._words),
            words=np.frombuffer(self._words, dtype=np.uint32).astype(np.int64),
            characters=np.frombuffer(self._characters, dtype=np.uint32).astype(np.int64),
            sentences=np.frombuffer(self._sentences, dtype=np.uint32).astype(np.int64),
            ratings=self._ratings,
            aspects=self._aspects,
            products=self._products,
            sample=self._sample.items,
        )


def sample_seed(seed: int, part: str) -> str:
    """The reservoir seed of one part, shared with the embedding pass so samples line up."""
    return f"{seed}:{part}"


def profile_sets(
    synthetic: Iterable[ReviewRow],
    reference: Iterable[ReviewRow],
    holdout: Iterable[ReviewRow] | None,
    options: EvaluationOptions,
) -> dict[str, SetProfile]:
    lexicon = AspectLexicon(options.aspects) if options.aspects else None
    profilers = {
        part: _Profiler(options.max_sample, sample_seed(options.seed, part), lexicon)
        for part in PARTS
    }
    for part, row in stream_parts(
        synthetic, reference, holdout, seed=options.seed, holdout_share=options.holdout_share
    ):
        profilers[part].add(row)
    return {part: profiler.finish() for part, profiler in profilers.items()}
