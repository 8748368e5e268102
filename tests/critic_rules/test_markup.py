"""markup.v1: chat-template tokens, role labels and echoed prompt text (issue 23's drafts)."""

from __future__ import annotations

import pytest

from reviewgen.chains.writer import PROMPTS

PLAIN = (
    "Had it about a month now. The battery easily gets me through a shift and the camera is "
    "fine for pictures of the dog. User friendly too, my mom figured it out."
)


def test_plain_review_passes(check):
    assert check("markup.v1", PLAIN).passed


@pytest.mark.parametrize(
    ("draft", "kind"),
    [
        # From a run through llama.cpp's server with the wrong chat template (issue 23).
        ("<<SYS>>\nThe battery lasts all day and the camera is great. [INST] <<SYS>>", "template"),
        ("<|im_start|>assistant\nThe battery lasts all day.<|im_end|>", "template"),
        ("<start_of_turn>model\nThe battery lasts all day.", "template"),
        ("The battery lasts all day.<|endoftext|>", "template"),
        ("The battery lasts all day.</s>", "template"),
        ("assistant: The battery lasts all day.", "labels"),
        ("Great phone.\nUser: now write a 2-star one", "labels"),
        ("### Response:\nThe battery lasts all day.", "labels"),
        # Small instruct models repeating their prompt.
        ("About you: 18-24 years old, student, low tech-savviness.", "labels"),
        ("Length: about 40 words.\nThe battery lasts all day.", "labels"),
        ("Rating: 4 out of 5 stars\nThe battery lasts all day.", "labels"),
        (
            "Rewrite your review to fix these problems, keeping it a 4-star review in your "
            "own voice: the battery lasts all day.",
            "echo",
        ),
        ("The battery is great. Output only the new review text.", "echo"),
    ],
)
def test_markup_and_echoes_fail(check, draft, kind):
    verdict = check("markup.v1", draft)
    assert not verdict.passed
    key = {"template": "template_tokens", "labels": "labels", "echo": "echo"}[kind]
    assert verdict.details[key]
    assert "instructions" in verdict.feedback


def test_an_echo_of_the_plans_own_persona_fails(check):
    # conftest's plan: 35-44, teacher, medium tech-savviness, photos of the kids.
    draft = "As a 35-44 years old, teacher, medium tech-savviness person the battery is fine."
    verdict = check("markup.v1", draft)
    assert not verdict.passed
    assert "35-44 years old teacher medium tech-savviness" in verdict.details["echo"]


def test_echoes_are_read_from_the_prompt_files(check):
    # Any six words in a row of the writer's system prompt, as the file says them today.
    words = (PROMPTS / "chat_system.txt").read_text(encoding="utf-8").split()
    echoed = " ".join(words[10:16])
    assert not check("markup.v1", f"Good phone, {echoed} and the battery lasts.").passed
    assert check("markup.v1", f"Good phone, {' '.join(words[10:14])}.").passed  # four words


@pytest.mark.parametrize(
    "draft",
    [
        "Seller sent it fast, contact them at [EMAIL] if yours is missing the charger.",
        "I <3 this phone. 5 stars out of 5 for the price.",
        "Works fine as a user phone, the system is fast, assistant app is handy.",
        "Is it worth it? Yes: the battery lasts.",
    ],
)
def test_real_review_habits_pass(check, draft):
    assert check("markup.v1", draft).passed


def test_extra_markers(check):
    verdict = check("markup.v1", "Great phone END_OF_REVIEW", params={"extra_markers": ["END_OF"]})
    assert not verdict.passed and verdict.details["template_tokens"] == ["END_OF"]
