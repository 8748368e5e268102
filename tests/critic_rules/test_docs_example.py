"""The user-written rule in docs/CRITIC_RULES.md works as printed."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from reviewgen.core.config import ComponentSpec
from reviewgen.core.registry import critic_rules
from reviewgen.pipeline.components import build_rules

from .conftest import make_context

DOC = Path(__file__).resolve().parents[2] / "docs" / "CRITIC_RULES.md"

# Keep identical to the example in the doc (the first test checks that).
EXAMPLE = textwrap.dedent(
    '''\
    from pydantic import BaseModel, ConfigDict

    from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
    from reviewgen.core.schemas import Verdict


    @register_rule("no_shouting.v1")
    class NoShouting(CriticRule):
        """Real reviews rarely stack exclamation marks; a hyped draft does."""

        class Params(BaseModel):
            model_config = ConfigDict(extra="forbid")
            max_marks: int = 3

        def check(self, draft: str, context: CriticContext) -> Verdict:
            marks = draft.count("!")
            if marks > self.params.max_marks:
                return self.fail("Use fewer exclamation marks.", 1 / marks, marks=marks)
            return self.ok(marks=marks)
    '''
)


@pytest.fixture
def example_registered(monkeypatch):
    monkeypatch.setattr(critic_rules, "_items", dict(critic_rules._items))  # undone after the test
    exec(compile(EXAMPLE, "CRITIC_RULES.md", "exec"), {"__name__": "docs_example"})


def test_doc_shows_the_tested_example():
    assert EXAMPLE in DOC.read_text(encoding="utf-8")


def test_example_rule_loads_from_config_and_checks(example_registered):
    (rule,) = build_rules([ComponentSpec(name="no_shouting.v1", params={"max_marks": 2})])
    context = make_context()
    calm = asyncio.run(rule.acheck("Good phone. Battery is fine!", context))
    loud = asyncio.run(rule.acheck("Best phone ever!!! Buy it!", context))
    assert calm.passed and calm.details == {"marks": 1}
    assert not loud.passed
    assert loud.rule == "no_shouting.v1"
    assert loud.feedback == "Use fewer exclamation marks."
