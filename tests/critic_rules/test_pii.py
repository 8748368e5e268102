"""pii.v1: no e-mails, phones, URLs, cards or addresses; names allowed by default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reviewgen.critic_rules.pii import PiiParams


def test_clean_review_passes(check):
    verdict = check("pii.v1", "The battery lasts two days and it has 128GB, model SM-S911U.")
    assert verdict.passed


@pytest.mark.parametrize(
    ("draft", "kind", "feedback"),
    [
        ("Email me at jo.bloggs@example.com for tips.", "email", "e-mail address"),
        ("Call me at (415) 555-2671 if you want my old one.", "phone", "phone number"),
        ("Better deals at www.cheap-phone-deals.biz honestly.", "url", "web address"),
        ("Paid with 4111 1111 1111 1111 and it went through.", "card", "card number"),
        ("Deliver it to 42 Maple Street, Springfield please.", "address", "street address"),
    ],
)
def test_personal_data_fails(check, draft, kind, feedback):
    verdict = check("pii.v1", draft)
    assert not verdict.passed
    assert verdict.details["kinds"] == [kind]
    assert verdict.feedback == f"Leave out the {feedback}."
    span = verdict.details["spans"][0]
    assert draft[span["start"] : span["end"]] == span["text"]


def test_several_kinds_are_all_named(check):
    draft = "Mail jo@example.com or see www.my-phone-blog.xyz for photos."
    verdict = check("pii.v1", draft)
    assert verdict.details["kinds"] == ["email", "url"]
    assert verdict.feedback == "Leave out the e-mail address and the web address."


def test_names_pass_by_default_and_can_be_rejected(check):
    draft = "John Smith at the store set it up and my son Jake loves it."
    assert check("pii.v1", draft).passed
    verdict = check("pii.v1", draft, {"reject": ["person"]})
    assert verdict.details["kinds"] == ["person"]


def test_allowed_shop_domains(check):
    draft = "Ordered it on amazon.com, listing at https://www.amazon.com/dp/B0TEST."
    assert check("pii.v1", draft).passed
    assert not check("pii.v1", draft, {"allowed_domains": []}).passed


def test_unknown_kind_is_rejected_at_config_time():
    with pytest.raises(ValidationError):
        PiiParams(reject=["passport"])
