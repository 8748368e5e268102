"""The Critic: a raising rule becomes a failed verdict; the judge runs after cheap rules pass."""

from __future__ import annotations

import asyncio
import json

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule
from reviewgen.models.fake import FakeChatModel
from reviewgen.pipeline.critic import Critic

from .conftest import make_context, make_rule

GOOD = "The battery gets me through two days and the photos of my kids look sharp. Happy with it."
JUDGE_OK = json.dumps({"realism": 4, "aspect_coverage": 4, "rating_match": 4, "feedback": ""})


class Broken(CriticRule):
    def check(self, draft: str, context: CriticContext) -> Verdict:
        raise RuntimeError("boom")


def review(rules: list[CriticRule], draft: str, context: CriticContext):
    return asyncio.run(Critic(rules).review(draft, context))


def test_a_raising_rule_becomes_a_failed_verdict():
    report = review([make_rule("length.v1"), Broken(name="broken.v1")], GOOD, make_context())
    assert report.failed_rules == ["broken.v1"]
    assert report.verdicts[1].details == {"error": "RuntimeError: boom"}
    assert report.verdicts[0].passed


def test_judge_is_not_called_when_a_cheap_rule_fails():
    model = FakeChatModel(responses=[JUDGE_OK])
    context = make_context(models={"judge": model}, length_target=200)
    report = review([make_rule("length.v1"), make_rule("llm_judge.v1")], GOOD, context)
    assert report.failed_rules == ["length.v1"]
    assert model.prompts == []
    assert report.feedback().startswith("- Write more")


def test_judge_runs_when_cheap_rules_pass():
    model = FakeChatModel(responses=[JUDGE_OK])
    context = make_context(models={"judge": model}, aspects=["battery", "camera"], length_target=18)
    rules = [make_rule(n) for n in ("llm_judge.v1", "length.v1", "aspect_coverage.v1")]
    report = review(rules, GOOD, context)
    assert report.passed
    assert [v.rule for v in report.verdicts] == ["length.v1", "aspect_coverage.v1", "llm_judge.v1"]
    assert len(model.prompts) == 1
