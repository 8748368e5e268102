"""The chat writer's prompt fits the model's context window: oldest revision turns go first,
then the longest examples; a prompt that cannot fit rejects its candidate, never the run."""

from __future__ import annotations

import asyncio
import random

import pytest

from reviewgen.chains.exemplars import default_exemplars
from reviewgen.chains.writer import Draft, Writer, estimate_tokens
from reviewgen.core.errors import PromptTooLong
from reviewgen.core.schemas import CriticReport, Verdict
from reviewgen.models.fake import FakeChatModel
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from reviewgen.text.aspects import AspectLexicon
from tests.critic_rules.conftest import make_plan
from tests.helpers import answer_with

CONFIG = load_config(None, [])
FAILED = CriticReport([Verdict(rule="length.v1", passed=False, feedback="Make it shorter.")])


def writer(context_window: int | None, answer_tokens: int = 100) -> Writer:
    model = FakeChatModel(responder=lambda prompt: "A draft of my own words. " * 12)
    pool = default_exemplars(AspectLexicon(CONFIG.category.aspects))
    return Writer(
        model,
        mode="chat",
        category=CONFIG.category,
        pool=pool,
        exemplars=4,
        context_window=context_window,
        answer_tokens=answer_tokens,
    )


def revise(w: Writer, times: int) -> Draft:
    plan, rng = make_plan(4, ["battery"], 40), random.Random(1)

    async def drafts() -> Draft:
        draft = await w.draft(plan, rng)
        for _ in range(times):
            draft = await w.draft(plan, rng, previous=draft, report=FAILED)
        return draft

    return asyncio.run(drafts())


def sent(w: Writer) -> str:
    return w.model.prompts[-1]


def test_revisions_keep_their_history_when_it_fits():
    w = writer(None)
    draft = revise(w, 3)
    assert len(draft.turns) == 3 and len(draft.exemplars) == 4
    assert sent(w).count("Rewrite your review") == 3


def prompt_size(turns: int, examples: bool = True) -> int:
    """Tokens (as the writer counts them) of the prompt after ``turns`` revisions."""
    w = writer(None)
    draft = revise(w, turns)
    messages = w._chat_messages(make_plan(4, ["battery"], 40), draft.exemplars, list(draft.turns))
    if not examples:
        messages = w._chat_messages(make_plan(4, ["battery"], 40), [], list(draft.turns))
    return w._prompt_tokens(messages)


def test_the_oldest_revision_turns_go_first_then_the_longest_examples():
    answer = 100
    w = writer(prompt_size(3) + answer - 1)  # one token short for three turns
    draft = revise(w, 3)
    assert len(draft.turns) == 2 and len(draft.exemplars) == 4
    assert sent(w).count("Rewrite your review") == 2
    w = writer(prompt_size(1) + answer)  # room for one turn and every example
    draft = revise(w, 3)
    assert len(draft.turns) == 1 and len(draft.exemplars) == 4
    w = writer(prompt_size(1, examples=False) + answer + 10)  # one turn, hardly any example
    draft = revise(w, 3)
    assert len(draft.turns) == 1 and len(draft.exemplars) < 4
    assert "Make it shorter." in sent(w)  # the latest feedback always stays


def test_a_prompt_that_cannot_fit_is_prompt_too_long():
    w = writer(300, answer_tokens=250)
    with pytest.raises(PromptTooLong, match="no room for a 250-token answer"):
        revise(w, 0)
    assert w.model.prompts == []  # never sent


def test_a_run_on_a_small_context_fits_every_prompt(tmp_path, monkeypatch):
    from reviewgen.models.fake_reviews import compose_review

    prompts = []

    def respond(prompt: str) -> str:  # every first draft fails its length: revisions follow
        prompts.append(prompt)
        return compose_review(prompt) if "Rewrite your review" in prompt else "Too short."

    answer_with(monkeypatch, respond)
    config = load_config(
        None,
        [
            "models.default={provider: fake, model: fake, context_window: 600, max_tokens: 80}",
            "run.count=4",
            "writer.max_revisions=2",
            "critic.rules=[{name: length.v1}]",
        ],
    )
    result = generate(config, tmp_path)
    assert result.status == "complete" and result.stats.drafts > 4
    assert max(estimate_tokens(p) for p in prompts) <= 600 - 80
