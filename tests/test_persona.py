from collections import Counter

from reviewgen.agents.persona import PersonaAgent
from reviewgen.core.allocation import largest_remainder
from reviewgen.pipeline.components import load_config


def test_quotas_are_exact_and_proportional():
    weights = {1: 0.24, 2: 0.08, 3: 0.09, 4: 0.14, 5: 0.44}
    counts = largest_remainder(weights, 200)
    assert sum(counts.values()) == 200
    # the weights sum to 0.99; shares are normalised, remainders go to the largest fractions
    assert counts == {1: 49, 2: 16, 3: 18, 4: 28, 5: 89}
    assert sum(largest_remainder(weights, 7).values()) == 7


def test_rating_allocation_matches_config_within_a_point():
    config = load_config(None)
    agent = PersonaAgent(config)
    ratings = agent.allocate(500, run_seed=1)
    shares = {star: n / 500 for star, n in Counter(ratings).items()}
    for star, weight in config.persona.ratings.items():
        assert abs(shares[star] - weight) <= 0.01


def test_same_seed_same_personas_and_different_seed_differs():
    config = load_config(None)
    agent = PersonaAgent(config)
    first = [agent.plan(slot, 5, run_seed=7) for slot in range(20)]
    again = [agent.plan(slot, 5, run_seed=7) for slot in range(20)]
    other = [agent.plan(slot, 5, run_seed=8) for slot in range(20)]
    assert first == again
    assert first != other


def test_persona_and_product_distributions_follow_config():
    config = load_config(None)
    agent = PersonaAgent(config)
    plans = [agent.plan(slot, 4, run_seed=3) for slot in range(3000)]
    savvy = Counter(p.persona.tech_savviness for p in plans)
    for level, weight in config.persona.tech_savviness.items():
        assert abs(savvy[level] / 3000 - weight) < 0.03
    products = Counter(p.product.name for p in plans)
    assert len(products) == len(config.category.products)
    assert max(products.values()) / 3000 < 2 / len(config.category.products)
    _low, high = config.persona.aspects_per_review
    assert all(1 <= len(p.aspects) <= high for p in plans)
    assert all(len(set(p.aspects)) == len(p.aspects) for p in plans)
    assert all(a in config.category.aspects for p in plans for a in p.aspects)
    lengths = [p.length_target for p in plans]
    assert min(lengths) >= config.persona.length.min_words
    assert max(lengths) <= config.persona.length.max_words


def test_aspect_priorities_shape_the_choice():
    config = load_config(None, ["persona.aspect_weights={camera: 20.0}"])
    agent = PersonaAgent(config)
    plans = [agent.plan(slot, 4, run_seed=3) for slot in range(400)]
    share = sum("camera" in p.aspects for p in plans) / 400
    assert share > 0.7


def test_short_length_targets_ask_for_one_aspect():
    config = load_config(
        None,
        [
            "persona.length={mode: range, min_words: 5, max_words: 14}",
            "persona.aspects_per_review=[3, 3]",
        ],
    )
    agent = PersonaAgent(config)
    assert all(len(agent.plan(s, 3, 1).aspects) == 1 for s in range(50))


def test_every_trait_is_drawn_from_its_config_key_and_shown_to_the_writer():
    """A trait is declared once (``core.schemas.trait``); sampler and writer read it from there."""
    from reviewgen.chains.writer import describe_persona
    from reviewgen.core.schemas import persona_traits

    config = load_config(None)
    names = [name for name, _, _ in persona_traits()]
    assert names == ["age_band", "occupation", "tech_savviness", "usage", "budget"]
    plan = PersonaAgent(config).plan(0, 5, run_seed=1)
    for name, key, _ in persona_traits():
        assert getattr(plan.persona, name) in getattr(config.persona, key)
    persona = plan.persona.model_copy(
        update={"age_band": "25-34", "occupation": "nurse", "tech_savviness": "high"}
        | {"usage": "photos", "budget": "tight", "backstory": None}
    )
    assert describe_persona(persona, "phone") == (
        "25-34 years old, nurse, high tech-savviness, uses the phone for photos, tight budget"
    )
