"""Every registered critic rule honours the rule contract (built-ins and installed plugins)."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket

import pytest
from pydantic import ValidationError

from reviewgen.core.registry import critic_rules
from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule
from reviewgen.models.fake import FakeChatModel
from reviewgen.models.fake_reviews import compose_review

from .conftest import make_context

RULES = critic_rules.items()
DRAFTS = [
    "The battery gets me through two days and the photos of my kids look sharp. Happy with it.",
    "Sure, here's a review:\n**Title: Amazing**\n- seamless\n- game-changer\nRating: 5\nand the",
    "",
    "!!!! 😍😍😍😍😍 $$$ 4111 1111 1111 1111",
    "El teléfono es muy bueno pero la batería no dura.",
]
JUDGE_ANSWER = json.dumps({"realism": 4, "aspect_coverage": 3, "rating_match": 4, "feedback": ""})


@pytest.fixture
def socket_guard(monkeypatch):
    """Record and refuse every outgoing connection (a rule may not swallow the error unseen)."""
    attempts: list[object] = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network access in a critic-rule test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def contract_context() -> CriticContext:
    judge = FakeChatModel(responder=lambda prompt: JUDGE_ANSWER)
    return make_context(
        rating=4,
        aspects=["battery", "camera"],
        length_target=18,
        models={"judge": judge},
        model_labels={"writer": "fake:writer", "judge": "fake:judge"},
    )


@pytest.fixture(params=sorted(RULES), ids=str)
def named_rule(request) -> tuple[str, type[CriticRule]]:
    return request.param, RULES[request.param]


def test_default_params_validate(named_rule):
    _, cls = named_rule
    cls.Params()


def test_unknown_param_key_is_rejected(named_rule):
    _, cls = named_rule
    with pytest.raises(ValidationError, match="no_such_key"):
        cls.Params.model_validate({"no_such_key": 1})


def test_acheck_returns_a_valid_verdict_without_network(named_rule, socket_guard):
    name, cls = named_rule
    rule = cls(name=name)
    for draft in DRAFTS:
        verdict = asyncio.run(rule.acheck(draft, contract_context()))
        assert isinstance(verdict, Verdict)
        assert verdict.rule == name
        assert 0.0 <= verdict.score <= 1.0
        assert "error" not in verdict.details
        if not verdict.passed and "parse_error" not in verdict.details:
            assert verdict.feedback, f"{name} failed {draft!r} without telling the writer why"
    assert socket_guard == []


def test_verdicts_are_deterministic(named_rule):
    name, cls = named_rule
    first, second = (
        [asyncio.run(cls(name=name).acheck(d, contract_context())).model_dump() for d in DRAFTS]
        for _ in range(2)
    )
    assert first == second


def _reference_texts() -> tuple[str, ...]:
    """Project-written real-looking reviews: short, plain, with the slips people make."""
    openings = ["works great", "battery dies by noon", "screen cracked first week", "love it"]
    endings = ["would buy again", "returned it", "its ok for the price", "my kids use it"]
    return tuple(
        f"{a}, {b}. had it {n} months"
        for n, (a, b) in enumerate(itertools.product(openings, endings * 5))
    )


def test_acheck_with_a_reference_returns_valid_verdicts_and_uses_it(named_rule, socket_guard):
    """Rules that learn from the run's reference are exercised past their warm-up with one:
    without it a reference-reading rule would only ever be tested skipping."""
    name, cls = named_rule
    rule = cls(name=name)
    reference = _reference_texts()
    base = contract_context()
    drafts = [
        compose_review(f"A {1 + i % 5}-star review, about {12 + i % 40} words.\n{i}")
        for i in range(120)
    ]
    verdicts = []
    for draft in drafts:
        context = make_context(
            rating=4,
            aspects=["battery"],
            length_target=18,
            models=base.models,
            model_labels=base.model_labels,
            reference_texts=reference,
        )
        verdicts.append(asyncio.run(rule.acheck(draft, context)))
    for verdict in verdicts:
        assert isinstance(verdict, Verdict) and verdict.rule == name
        assert 0.0 <= verdict.score <= 1.0 and "error" not in verdict.details
    assert not any("skipped" in v.details for v in verdicts), f"{name} ignored the reference"
    if name == "realism.v1":  # learned from it: fails some drafts once warmed up
        assert any(not v.passed for v in verdicts[60:])
    assert socket_guard == []
