"""Which aspects (camera, battery, ...) a review talks about, from a configurable lexicon.

The lexicon lives in the config (nothing category-specific in code); the critic's
``aspect_coverage.v1`` and the evaluator's topic shares both use this matcher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


class AspectLexicon:
    def __init__(self, terms: Mapping[str, list[str]]) -> None:
        # The aspect's own name ("customer service") always counts as a mention of it.
        self.terms = {
            aspect: list(dict.fromkeys([aspect.replace("_", " "), *words]))
            for aspect, words in terms.items()
        }
        self._patterns = {
            aspect: re.compile(
                r"(?<![a-z0-9])(?:"
                + "|".join(re.escape(t.lower()) for t in sorted(words, key=len, reverse=True))
                + r")",
                re.IGNORECASE,
            )
            for aspect, words in self.terms.items()
            if words
        }

    @property
    def aspects(self) -> list[str]:
        return list(self.terms)

    def mentions(self, text: str) -> set[str]:
        text = text.replace("’", "'")
        return {aspect for aspect, pattern in self._patterns.items() if pattern.search(text)}

    def covers(self, text: str, aspect: str) -> bool:
        pattern = self._patterns.get(aspect)
        return bool(pattern and pattern.search(text.replace("’", "'")))

    def protected_words(self) -> set[str]:
        """Lexicon terms, so noise and synonym steps can leave them intact."""
        return {t.lower() for words in self.terms.values() for t in words}
