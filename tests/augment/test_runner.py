"""Dataset augmentation: lineage, reproducibility, near-parent flags, op building."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewgen.augment.llm import AnswerCache
from reviewgen.augment.runner import (
    AugmentReport,
    augment_file,
    augment_rows,
    build_op,
    build_steps,
    protected_from_config,
    resolve_op_name,
)
from reviewgen.core.errors import ConfigError, DataError
from reviewgen.core.registry import augmenters
from reviewgen.pipeline.components import load_config
from tests.augment.fakes import RuleChatModel, translate


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_registry_names():
    assert {"typos.v1", "style.v1", "synonyms.v1", "backtranslate.v1"} <= set(augmenters.names())
    assert resolve_op_name("typos") == "typos.v1"
    with pytest.raises(ConfigError, match="valid choices"):
        resolve_op_name("typoz")


def test_build_op_adds_protected_terms_and_validates():
    op = build_op("typos", {"rate": 0.1, "protected": ["zoom"]}, protected={"battery"})
    assert op.params.protected == ["battery", "zoom"]
    with pytest.raises(ConfigError, match="unknown key; valid keys"):
        build_op("typos", {"rat": 0.1})
    with pytest.raises(ConfigError, match="rate"):
        build_op("typos", {"rate": [0.3, 0.1]})


def test_build_steps_rejects_params_for_ops_not_in_the_chain():
    with pytest.raises(ConfigError, match="not in the chain: synonyms"):
        build_steps(["typos"], {"synonyms": {"share": 0.1}})


def test_build_steps_builds_the_model_once_and_only_when_needed(tmp_path):
    built = []

    def factory():
        built.append(1)
        return RuleChatModel(rule=translate)

    cache = AnswerCache(tmp_path / "a.sqlite")
    build_steps(["typos", "synonyms"], {}, model_factory=factory, cache=cache)
    assert built == []
    build_steps(
        ["backtranslate", "synonyms"],
        {"synonyms": {"llm": "missing"}},
        model_factory=factory,
        cache=cache,
    )
    assert built == [1]


def test_records_carry_lineage_and_reproduce(reviews_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    steps = build_steps(
        ["typos", "synonyms"],
        {"typos": {"rate": 0.2}, "synonyms": {"share": 0.5}},
        protected={"battery", "camera"},
    )
    report = augment_file(reviews_jsonl, out, steps, seed=5, variants=2)
    records = read(out)
    assert report.records == len(records) == 6 and report.parents == 3
    first = records[0]
    assert first["id"] == "r1~aug1" and first["parent_id"] == "r1"
    assert first["rating"] == 5 and first["product"] == "Pixel 9a" and first["synthetic"] is True
    lineage = first["lineage"]
    assert lineage["source"] == "reviews.jsonl" and lineage["seed"] == 5 and lineage["variant"] == 1
    assert [op["name"] for op in lineage["ops"]] == ["typos.v1", "synonyms.v1"]
    assert lineage["ops"][0]["params"]["rate"] == 0.2
    # The record seed alone reproduces the text.
    rng = random.Random(lineage["record_seed"])
    text = "The battery is great and the camera takes amazing photos."
    for step in steps:
        text = step.op.apply(text, rng).text
    assert text == first["text"]
    assert "battery" in first["text"] and "camera" in first["text"]


def test_same_seed_same_output_and_order_independent(reviews_jsonl, tmp_path):
    steps = build_steps(["typos"], {"typos": {"rate": 0.3}})
    a = [r["text"] for r in augment_rows(reviews_jsonl, steps, seed=1)]
    b = [r["text"] for r in augment_rows(reviews_jsonl, steps, seed=1)]
    c = [r["text"] for r in augment_rows(reviews_jsonl, steps, seed=2)]
    assert a == b and a != c
    alone = [r["text"] for r in augment_rows(reviews_jsonl, steps, seed=1, limit=1)]
    assert alone == a[:1]


def test_near_parent_flag(reviews_jsonl, tmp_path):
    light = build_steps(["typos"], {"typos": {"rate": 0.05}})
    records = list(augment_rows(reviews_jsonl, light, seed=0))
    assert len(records) == 3
    assert all(r["near_parent"] and 0.8 <= r["parent_similarity"] < 1.0 for r in records)
    assert not any("duplicate_of" in r for r in records)
    heavy = build_steps(["typos"], {"typos": {"rate": 1.0}})
    records = list(augment_rows(reviews_jsonl, heavy, seed=0))
    assert not any(r["near_parent"] for r in records)
    assert all(r["parent_similarity"] < 0.8 for r in records)


def test_drop_near_parent(reviews_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    steps = build_steps(["typos"], {"typos": {"rate": 0.05}})
    report = augment_file(reviews_jsonl, out, steps, variants=2, drop_near_parent=True)
    assert read(out) == [] and report.near_parent == 6 and report.records == 0


def test_identical_variants_are_marked_duplicates(reviews_jsonl, tmp_path):
    model = RuleChatModel(rule=translate)
    steps = build_steps(
        ["backtranslate"], {}, model_factory=lambda: model, cache=AnswerCache(tmp_path / "a.sqlite")
    )
    records = list(augment_rows(reviews_jsonl, steps, variants=2, limit=1))
    assert records[0]["text"] == "the battery is excellent and the camera takes amazing photos."
    assert "duplicate_of" not in records[0]
    assert records[1]["duplicate_of"] == "r1~aug1" and records[1]["duplicate_similarity"] == 1.0


def test_csv_input_without_ids_and_csv_output(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("body,stars\nThe screen is great,5\n,3\nAwful phone honestly,1\n")
    out = tmp_path / "out.csv"
    from reviewgen.core.datasets import Columns

    steps = build_steps(["synonyms"], {"synonyms": {"share": 1.0}})
    augment_file(source, out, steps, columns=Columns(text="body", rating="stars", id=None))
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,text,rating,product,parent_id,lineage")
    assert re.match(r"in:1~aug1,[^,]+,5,,in:1,", lines[1])
    assert "The screen is great," not in lines[1]
    assert re.match(r"in:2~aug1,[^,]+,1,,in:2,", lines[2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "ok", "rating": 9}\n', "outside 1-5"),
        ('{"body": "ok"}\n', "no column 'text'"),
        ("not json\n", "not valid JSON"),
        ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "occurs more than once"),
    ],
)
def test_bad_input_is_a_data_error(tmp_path, content, message):
    source = tmp_path / "bad.jsonl"
    source.write_text(content)
    out = tmp_path / "out.jsonl"
    with pytest.raises(DataError, match=message):
        augment_file(source, out, build_steps(["typos"], {}))
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_bad_output_name(reviews_jsonl, tmp_path):
    with pytest.raises(DataError, match=r"must end in \.jsonl or \.csv"):
        augment_file(reviews_jsonl, tmp_path / "out.txt", build_steps(["typos"], {}))


def test_protected_from_default_config():
    terms = protected_from_config(load_config(None))
    assert {"battery", "camera", "Google Pixel 9a", "Samsung"} <= terms


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1).filter(
            str.strip
        ),
        min_size=1,
        max_size=4,
    ),
    ops=st.lists(st.sampled_from(["typos", "synonyms", "style"]), min_size=1, max_size=3),
    seed=st.integers(0, 1000),
)
def test_lineage_properties(tmp_path_factory, texts, ops, seed):
    source = tmp_path_factory.mktemp("prop") / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    steps = build_steps(ops, {}, protected={"battery"})
    report = AugmentReport()
    records = list(augment_rows(source, steps, seed=seed, report=report))
    assert len(records) + report.unchanged == len([t for t in texts if t.strip()])
    assert all(r["text"] != texts[int(r["parent_id"].rsplit(":", 1)[-1]) - 1] for r in records)
    for record in records:
        record["text"].encode("utf-8")
        assert record["text"].strip()
        assert record["parent_id"] and record["synthetic"] is True
        lineage = record["lineage"]
        assert [op["name"] for op in lineage["ops"]] == [resolve_op_name(o) for o in ops]
        assert all("params" in op and "changes" in op for op in lineage["ops"])
        assert lineage["seed"] == seed and isinstance(lineage["record_seed"], int)
        assert 0.0 <= record["parent_similarity"] <= 1.0001


def test_an_output_no_op_changed_is_skipped_and_counted(reviews_jsonl, tmp_path):
    """A copy of its parent is not new data: it is never written, and the report says so."""
    out = tmp_path / "out.jsonl"
    steps = build_steps(["typos"], {"typos": {"rate": 0.0}})
    report = augment_file(reviews_jsonl, out, steps, seed=1, variants=2)
    assert read(out) == [] and report.records == 0
    assert report.unchanged == 6 and report.parents == 3
    changed = augment_file(
        reviews_jsonl, tmp_path / "b.jsonl", build_steps(["typos"], {"typos": {"rate": 0.3}})
    )
    assert all(r["parent_similarity"] < 1.0 for r in read(tmp_path / "b.jsonl"))
    assert changed.records == 3 and changed.unchanged == 0  # a retry with a new seed changed it
