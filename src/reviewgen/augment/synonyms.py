"""Synonym replacement that keeps part of speech and sentiment.

Candidates come from an offline lexicon (the built-in review lexicon or a JSON/YAML file of
groups), optionally from the configured model for words the lexicon lacks. A swap is allowed
only when VADER gives both words the same polarity and close strength, so "good" never turns
into "great" (1.9 vs 3.1 > the default delta of 1.0) and "slow" never into "sluggish"
(neutral vs negative).
"""

from __future__ import annotations

import json
import math
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from reviewgen.augment.base import AugmentResult, OpParams, match_case, substitute
from reviewgen.augment.llm import AnswerCache, CachedModel
from reviewgen.core.errors import ConfigError
from reviewgen.core.registry import Component, augmenters
from reviewgen.text.lexicon_en import SYNONYM_GROUPS

_TOKEN_RE = re.compile(
    r"(?<![\w'’-])(?:(?P<article>[Aa]n?)\s+)?(?P<word>[A-Za-z]+(?:-[A-Za-z]+)*)(?![\w'’-])"
)
_SUFFIXES = ("ing", "ed", "ly")


class _Group(BaseModel):
    pos: str
    words: list[str] = Field(min_length=2)


class _LexiconFile(BaseModel):
    groups: list[_Group]


class Lexicon:
    """Word -> interchangeable words. A word in several groups (several senses or parts of
    speech) is never replaced, only offered as a replacement."""

    def __init__(self, groups: list[tuple[str, tuple[str, ...]]]) -> None:
        memberships: dict[str, list[int]] = {}
        for index, (_, words) in enumerate(groups):
            for word in words:
                memberships.setdefault(word.lower(), []).append(index)
        self._alternatives = {
            word: tuple(w.lower() for w in groups[found[0]][1] if w.lower() != word)
            for word, found in memberships.items()
            if len(found) == 1
        }

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._alternatives

    def alternatives(self, word: str) -> tuple[str, ...]:
        return self._alternatives.get(word.lower(), ())

    @classmethod
    def load(cls, source: str) -> Lexicon:
        if source == "builtin":
            return _builtin()
        path = Path(source)
        try:
            raw = path.read_text(encoding="utf-8")
            data: Any = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
            parsed = _LexiconFile.model_validate(data)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"synonym lexicon {source}: cannot read ({exc})") from None
        except (json.JSONDecodeError, yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(
                f"synonym lexicon {source}: expected {{groups: [{{pos, words: [...]}}]}} ({exc})"
            ) from None
        return cls([(g.pos, tuple(g.words)) for g in parsed.groups])


@lru_cache(maxsize=1)
def _builtin() -> Lexicon:
    return Lexicon(list(SYNONYM_GROUPS))


@lru_cache(maxsize=1)
def _vader() -> tuple[dict[str, float], dict[str, float], frozenset[str]]:
    from vaderSentiment import vaderSentiment as vader

    from reviewgen.text.sentiment import _analyzer

    return _analyzer().lexicon, vader.BOOSTER_DICT, frozenset(vader.NEGATE)


def _valence(phrase: str) -> float:
    lexicon = _vader()[0]
    scores = [lexicon.get(token, 0.0) for token in phrase.lower().split()]
    return max(scores, key=abs, default=0.0)


def same_sentiment(source: str, candidate: str, max_delta: float) -> bool:
    """Same VADER polarity, strength within ``max_delta``; boosters and negations stay put."""
    _, boosters, negations = _vader()
    words = {source.lower(), *candidate.lower().split()}
    if words & negations:
        return False
    if (source.lower() in boosters) != (candidate.lower() in boosters):
        return False
    before, after = _valence(source), _valence(candidate)
    return (
        math.copysign(1, before) * (before != 0) == math.copysign(1, after) * (after != 0)
        and abs(before - after) <= max_delta
    )


def same_form(source: str, candidate: str) -> bool:
    """Suffix check for model-proposed words: -ing, -ed, -ly and plural -s must agree."""
    source, candidate = source.lower(), candidate.lower()
    for suffix in _SUFFIXES:
        if source.endswith(suffix) != candidate.endswith(suffix):
            return False

    def plural(word: str) -> bool:
        return word.endswith("s") and not word.endswith("ss")

    return plural(source) == plural(candidate)


def _article_for(word: str) -> str:
    return (
        "an"
        if word[:1].lower() in "aeio" or word.lower().startswith(("un", "hour", "hon"))
        else "a"
    )


_STOP_WORDS_TEXT = """
    about above after again against also because been before being below between both could
    does doing down during each even ever every from further have having here hers herself
    himself into itself just many more most much must myself once only other ours ourselves
    over same should some such than that their theirs them themselves then there these they
    this those through under until upon very were what when where which while whom whose
    will with would your yours yourself yourselves
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def _content_word(word: str) -> bool:
    return len(word) >= 4 and word.lower() not in _STOP_WORDS


@augmenters.register("synonyms.v1")
class Synonyms(Component):
    """Replace a share of the replaceable words with lexicon (or model) synonyms."""

    class Params(OpParams):
        share: float = Field(0.2, ge=0.0, le=1.0, description="share of replaceable words")
        lexicon: str = Field("builtin", description="'builtin' or a JSON/YAML file of groups")
        llm: Literal["never", "missing"] = Field(
            "never", description="'missing': ask the model about words the lexicon lacks"
        )
        max_valence_delta: float = Field(1.0, ge=0.0, description="VADER strength tolerance")
        cache: bool = Field(True, description="reuse model answers cached per word and model")

    PROMPT = (
        'List up to 5 single-word synonyms for the word "{word}" as it is used in this '
        "sentence, with the same part of speech, tense and number. Answer with the words only, "
        "comma-separated.\nSentence: {sentence}\nSynonyms:"
    )

    @staticmethod
    def needs_model(params: Params) -> bool:
        return params.llm != "never"

    def __init__(
        self,
        params: Params | None = None,
        *,
        model: Any = None,
        cache: AnswerCache | None = None,
        model_label: str | None = None,
    ) -> None:
        self.params = params or self.Params()
        self.lexicon = Lexicon.load(self.params.lexicon)
        self._options: dict[str, list[str]] = {}
        self._model = None
        if self.params.llm != "never":
            self._model = CachedModel(model, cache, model_label, use_cache=self.params.cache)

    def _lexicon_options(self, word: str) -> list[str]:
        key = word.lower()
        if key not in self._options:
            delta = self.params.max_valence_delta
            self._options[key] = sorted(
                w for w in self.lexicon.alternatives(key) if same_sentiment(key, w, delta)
            )
        return self._options[key]

    def _model_options(self, word: str, text: str, start: int) -> list[str]:
        assert self._model is not None
        sentence_start = max(text.rfind(".", 0, start), text.rfind("!", 0, start)) + 1
        ends = [i for i in (text.find(".", start), text.find("!", start)) if i >= 0]
        sentence = text[sentence_start : min(ends) + 1 if ends else len(text)].strip()
        answer = self._model.ask(self.PROMPT.format(word=word, sentence=sentence))
        options = {
            w.strip(" .\"'").lower() for w in re.split(r"[,\n;]", answer) if w.strip(" .\"'")
        }
        return sorted(
            w
            for w in options
            if w.isalpha()
            and w != word.lower()
            and same_form(word, w)
            and same_sentiment(word, w, self.params.max_valence_delta)
        )

    def apply(self, text: str, rng: random.Random) -> AugmentResult:
        protected = self.params.protected
        eligible: list[tuple[int, str]] = []

        def collect(match: re.Match[str]) -> None:
            word = match.group("word")
            if word in self.lexicon:
                if self._lexicon_options(word):
                    eligible.append((match.start(), "lexicon"))
            elif self._model is not None and _content_word(word):
                eligible.append((match.start(), "model"))

        substitute(text, _TOKEN_RE, collect, protected)
        wanted = self.params.share * len(eligible)
        count = min(len(eligible), int(wanted) + (rng.random() < wanted - int(wanted)))
        chosen = dict(sorted(rng.sample(eligible, count)))
        swaps: list[list[str]] = []

        def replace(match: re.Match[str]) -> str | None:
            source = chosen.get(match.start())
            if source is None:
                return None
            word = match.group("word")
            options = (
                self._lexicon_options(word)
                if source == "lexicon"
                else self._model_options(word, text, match.start())
            )
            if not options:
                return None
            new = match_case(word, rng.choice(options))
            swaps.append([word, new])
            article = match.group("article")
            if article is None:
                return new
            return f"{match_case(article, _article_for(new))} {new}"

        new_text, _ = substitute(text, _TOKEN_RE, replace, protected)
        return AugmentResult(new_text, {"replaced": len(swaps), "swaps": swaps})
