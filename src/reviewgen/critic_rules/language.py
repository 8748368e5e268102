"""``language.v1``: the draft must be English, checked without a language model.

English text is full of function words ("the", "it", "and"); other languages have their own.
A draft fails when too few of its words are English function words, when another language's
function words outnumber them, or when its letters are mostly non-ASCII. Terse real reviews
("Great phone, fast shipping") have almost no function words, so short drafts only get the
ASCII and foreign-word checks.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.words import lower_words

_ENGLISH = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing don't down during each
    few for from further get got had has have having he her here hers him his how i i'd i'm
    i've if in into is it it's its itself just me more most my myself no not now of off on
    once one only or other our ours out over own really same she should so some such than that
    the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours"""

# Spanish, French, German, Portuguese and Italian function words that are not English words
# (so "die", "con", "per", "OS" are left out).
_FOREIGN = """el la los las del al que es muy por para una uno pero como más mas está esta este esto
    fue tiene bueno buena excelente producto llegó llego todo bien le les se su sus y ni des du
    de et est une pour avec pas très tres mais sur dans ce qui nous vous der das und ist nicht
    mit ein eine sehr auch auf für zu den dem ich sie es wir uma não nao com muito é il che
    non sono molto della questo"""
ENGLISH_FUNCTION_WORDS = frozenset(_ENGLISH.split())
FOREIGN_FUNCTION_WORDS = frozenset(_FOREIGN.split())


class LanguageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_stopword_share: float = Field(
        0.1, ge=0.0, le=1.0, description="English function words among words"
    )
    min_ascii_share: float = Field(0.9, ge=0.0, le=1.0, description="ASCII among letters")
    short_words: int = Field(8, ge=0, description="drafts with fewer words skip the share check")


@register_rule("language.v1")
class LanguageRule(CriticRule):
    """Pass English drafts; fail other languages, keyword lists and non-Latin script."""

    Params = LanguageParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: LanguageParams = self.params  # type: ignore[assignment]
        tokens = [w.replace("’", "'") for w in lower_words(draft)]
        ascii_share = 1.0 if draft.isascii() else _ascii_letter_share(draft)
        english = sum(t in ENGLISH_FUNCTION_WORDS for t in tokens)
        foreign = sum(t in FOREIGN_FUNCTION_WORDS for t in tokens)
        share = english / len(tokens) if tokens else 0.0
        details = {
            "stopword_share": round(share, 3),
            "ascii_share": round(ascii_share, 3),
            "foreign_words": foreign,
        }
        too_few = len(tokens) >= p.short_words and share < p.min_stopword_share
        if ascii_share < p.min_ascii_share or (foreign >= 2 and foreign > english) or too_few:
            feedback = (
                "Write full sentences in plain English, like a customer talking to other buyers."
                if too_few and ascii_share >= p.min_ascii_share and foreign <= english
                else "Write the review in English."
            )
            return self.fail(feedback, min(ascii_share, share), **details)
        return self.ok(1.0, **details)


def _ascii_letter_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isascii() for ch in letters) / len(letters) if letters else 1.0
