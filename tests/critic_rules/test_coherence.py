"""coherence.v1 on hand-written drafts: self-contradictions fail, changes of mind pass."""

from __future__ import annotations

import pytest

from reviewgen.core.schemas import Product

GALAXY = Product(name="Samsung Galaxy A56", brand="Samsung")


def _check(draft, rating=4, product=None, params=None):
    from tests.critic_rules.conftest import make_context, make_rule

    context = make_context(rating=rating)
    if product is not None:
        context.plan = context.plan.model_copy(update={"product": product})
    return make_rule("coherence.v1", params).check(draft, context)


@pytest.mark.parametrize(
    ("draft", "rating", "kind"),
    [
        (
            "The battery is excellent and lasts two full days. Honestly the battery is terrible "
            "and dies by noon.",
            4,
            "aspect",
        ),
        ("I highly recommend this phone to anyone. Would not recommend it.", 4, "verdict"),
        ("Best phone I have owned. Worst phone I have owned.", 3, "verdict"),
        ("Solid phone, five stars from me, no complaints.", 1, "stars"),
        ("One star. Great screen and a fast charger, I love it.", 5, "stars"),
        ("It came with a 4 GB battery that lasts all day.", 4, "units"),
    ],
)
def test_contradictions_fail(draft, rating, kind):
    verdict = _check(draft, rating)
    assert not verdict.passed
    assert kind in verdict.details["contradictions"]
    assert verdict.feedback


def test_another_makers_phone_called_this_fails():
    verdict = _check("This iPhone is quick and the screen is sharp.", product=GALAXY)
    assert not verdict.passed and verdict.details["contradictions"]["product"] == "This iPhone"


@pytest.mark.parametrize(
    "draft",
    [
        # a change over time, a contrast, or another phone compared
        "The battery was great at first. Now the battery is terrible and dies by noon.",
        "The battery is excellent, but after the update the battery is terrible.",
        "Much better than my old iPhone, and the screen is bright.",
        "I gave my last phone five stars; this one gets four from me.",
        "Would not recommend the seller, shipping took a month. The phone itself is fine.",
        "Love it. Screen is sharp, battery good, camera okay.",
        "This Galaxy is quick and the screen is sharp.",
        "64 GB of storage, a 5000 mAh battery and a 50 MP camera for the price.",
    ],
)
def test_coherent_drafts_pass(draft):
    assert _check(draft, product=GALAXY).passed


def test_checks_can_be_switched_off():
    draft = "Solid phone, five stars from me, no complaints."
    assert not _check(draft, rating=1).passed
    assert _check(draft, rating=1, params={"checks": ["aspect", "verdict"]}).passed


def test_an_unknown_maker_is_not_checked():
    odd = Product(name="Acme Talker 3", brand="Acme")
    assert _check("This iPhone works.", product=odd).passed
