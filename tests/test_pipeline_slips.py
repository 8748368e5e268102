"""On the fake provider: the slips a reference's reviews make show up in a run at about the
reference's rates, and each record says which it was given."""

from __future__ import annotations

import csv
import json

import pytest

from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from reviewgen.text.slips import detect, profile

FAKE = ["models.default.provider=fake", "models.default.model=fake"]


def _reference(path, n=100):
    """Reviews written for this test: half end without a full stop, a quarter write "i"."""
    rows = []
    for i in range(n):
        pronoun = "i" if i % 4 == 0 else "I"
        end = "" if i % 2 else "."
        text = f"{pronoun} got this phone in week {i} and the battery is fine for calls{end}"
        rows.append([text, 1 + i % 5])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "rating"])
        writer.writerows(rows)


@pytest.mark.parametrize("count", [60])
def test_slips_learned_from_the_reference_appear_at_its_rates(tmp_path, count):
    _reference(tmp_path / "real.csv")
    config = load_config(
        None,
        [
            *FAKE,
            f"run.count={count}",
            f"reference.path={tmp_path / 'real.csv'}",
            "reference.calibrate=[ratings, lengths, slips]",
            "store.check_reference=false",
            "critic.rules=[{name: length.v1, params: {min_ratio: 0.2, max_ratio: 5}}]",
        ],
    )
    generate(config, tmp_path / "out")
    records = [json.loads(line) for line in (tmp_path / "out" / "reviews.jsonl").open()]
    assert len(records) == count
    found = [profile(r["text"]) for r in records]
    unpunctuated = sum("no_final_period" in f for f in found) / count
    # "i" can only be written where the text says "I": count the reviews that do.
    with_i = [
        f for r, f in zip(records, found, strict=True) if detect(r["text"])["lower_i"].chances
    ]
    lower_i = sum("lower_i" in f for f in with_i) / len(with_i)
    assert unpunctuated == pytest.approx(0.5, abs=0.17)
    assert len(with_i) >= 15 and lower_i == pytest.approx(0.25, abs=0.17)
    assert not any(f - {"no_final_period", "lower_i"} for f in found)  # nothing else
    for record, kinds in zip(records, found, strict=True):
        drawn = set(record["persona"]["style"]["slips"])
        assert kinds <= drawn  # a slip in the text is one the persona drew
        assert {k.removeprefix("slip_") for k in record["noise"] if k.startswith("slip_")} <= drawn
        assert not any(k.startswith("typo_") for k in record["noise"])


def test_removed_style_keys_name_their_replacement():
    from reviewgen.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"typo_rate removed.*persona\.style\.slips"):
        load_config(None, [*FAKE, "persona.style.typo_rate=[0, 0.05]"])


def test_personas_draw_their_slips_from_the_shipped_mix_without_a_reference():
    from reviewgen.agents.persona import PersonaAgent
    from reviewgen.text.slips import default_model

    config = load_config(None, FAKE)
    agent = PersonaAgent(config)
    plans = [agent.plan(slot, 5, run_seed=3) for slot in range(400)]
    drawn = sum("no_final_period" in p.persona.style.slips for p in plans) / len(plans)
    model = default_model()
    expected = [model.cell_shares(5, p.length_target)["no_final_period"] for p in plans]
    assert drawn == pytest.approx(sum(expected) / len(expected), abs=0.05)
    none = load_config(None, [*FAKE, "persona.style.slips=0"])
    assert not any(PersonaAgent(none).plan(s, 5, run_seed=3).persona.style.slips for s in range(50))
