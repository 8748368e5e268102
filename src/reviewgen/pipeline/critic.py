"""The critic chain: run the configured rules and merge failures into revision feedback.

Cheap rules run first; rules that call a model run only when those pass, so a draft that is
obviously wrong never costs a judge call. A rule that raises becomes a failed verdict, except
a ``ReviewgenError`` (a refused key, a missing model): every later draft would fail the same
way, so the run stops with the message instead of burning its attempt budget.
"""

from __future__ import annotations

from reviewgen.core.errors import ReviewgenError
from reviewgen.core.schemas import CriticReport, Verdict
from reviewgen.core.secrets import redact
from reviewgen.critic_rules.base import CriticContext, CriticRule


class Critic:
    def __init__(self, rules: list[CriticRule]) -> None:
        self.cheap = [r for r in rules if not r.needs_model]
        self.expensive = [r for r in rules if r.needs_model]

    @staticmethod
    async def _run(rule: CriticRule, draft: str, context: CriticContext) -> Verdict:
        try:
            return await rule.acheck(draft, context)
        except ReviewgenError:
            raise
        except Exception as exc:  # a broken rule must not crash the run
            return Verdict(
                rule=rule.name,
                passed=False,
                score=0.0,
                feedback="",
                details={"error": redact(f"{type(exc).__name__}: {exc}")},
            )

    async def review(self, draft: str, context: CriticContext) -> CriticReport:
        verdicts = [await self._run(rule, draft, context) for rule in self.cheap]
        if all(v.passed for v in verdicts):
            verdicts += [await self._run(rule, draft, context) for rule in self.expensive]
        return CriticReport(verdicts)
