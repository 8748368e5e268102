"""Training examples: each reference review under the header the completion writer sends.

The writer's zero-shot prompt (``writer.exemplars: 0``) is the title line and one review header
(product, topics, star rating, length in words) ending in ``Review:``; the review follows on one
line and a newline ends it, the writer's stop string. Training on exactly that prompt is what
lets the persona plan steer the tuned model: the header is the only thing the model is shown.
Without the length line the tuned model wrote 1.2% of its reviews over 115 words against
the reference's 9.3% (docs/TUNE.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from reviewgen.chains.exemplars import ExemplarPool
from reviewgen.chains.writer import Writer
from reviewgen.core.config import Category
from reviewgen.core.datasets import Columns, ReviewRow, iter_reviews, split_holdout
from reviewgen.core.errors import DataError
from reviewgen.text.aspects import AspectLexicon
from reviewgen.text.words import word_count

MIN_REVIEWS = 200  # below this a LoRA mostly memorises: fewer reviews are refused


class Tokenizer(Protocol):
    def tokenize(self, text: str, *, add_bos: bool, special: bool) -> list[int]: ...


@dataclass(frozen=True)
class Example:
    tokens: list[int]  # prompt, then the review (and the newline that ends it, if not cut)
    prompt_length: int  # the loss is on the tokens after the prompt only


def read_rows(
    path: str | Path, columns: Columns, *, holdout_fraction: float, min_reviews: int
) -> list[ReviewRow]:
    """The reviews to train on: rated, not in the reference's held-out part (the same split
    ``generate`` and ``evaluate --run-holdout`` use), at least ``min_reviews`` of them."""
    rows = list(iter_reviews(path, columns))
    rated = [row for row in rows if row.rating is not None]
    if rows and not rated:
        raise DataError(
            f"{path}: no star ratings in column {columns.rating!r}; tuning conditions on the "
            "rating (choose the column with --rating-col)"
        )
    kept, _ = split_holdout(rated, holdout_fraction)
    if len(kept) < min_reviews:
        raise DataError(
            f"{path}: {len(kept)} rated reviews to tune on, fewer than {min_reviews}; give a "
            "larger --reference (or lower --min-reviews, at the risk of memorising them)"
        )
    return kept


class PromptFormatter:
    """The completion writer's zero-shot prompt for a review's product, topics, rating and
    length."""

    def __init__(self, category: Category) -> None:
        # The writer itself renders the header (no model is called to render a prompt).
        self.writer = Writer(
            cast(Any, None),
            mode="completion",
            category=category,
            pool=ExemplarPool([]),
            exemplars=0,
            length_line=True,
        )
        self.lexicon = AspectLexicon(category.aspects)

    def prompt(self, row: ReviewRow) -> str:
        aspects = self.lexicon.mentions(row.text)
        return self.writer.completion_prompt.format(
            title=self.writer.title,
            examples="",
            **self.writer.header(row.product, row.rating, aspects, word_count(row.text)),
        )


def to_examples(
    rows: list[ReviewRow],
    formatter: PromptFormatter,
    tokenizer: Tokenizer,
    *,
    max_review_tokens: int,
) -> list[Example]:
    """Tokenised as llama.cpp sees them: the prompt with BOS, the review as the tokens the
    model would generate after ``Review:``."""
    examples = []
    for row in rows:
        prompt = tokenizer.tokenize(formatter.prompt(row), add_bos=True, special=True)
        review = " " + " ".join(row.text.split()) + "\n"  # one line, as the writer's examples
        target = tokenizer.tokenize(review, add_bos=False, special=False)[:max_review_tokens]
        examples.append(Example(prompt + target, len(prompt)))
    return examples


def fingerprint(examples: list[Example]) -> str:
    """Identifies the training data, so a checkpoint is resumed only on the same data."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.prompt_length}:{example.tokens}\n".encode())
    return digest.hexdigest()[:16]
