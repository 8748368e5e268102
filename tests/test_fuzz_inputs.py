"""Hostile input: malformed configs, datasets and ledgers give clear errors, never tracebacks."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewgen.core.datasets import read_reviews
from reviewgen.core.errors import ReviewgenError
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.ledger import read_ledger

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
DEFAULT = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text())


def _write(data: bytes, suffix: str) -> Path:
    with tempfile.NamedTemporaryFile(delete=False, suffix=suffix) as handle:
        handle.write(data)
    return Path(handle.name)


@FUZZ
@given(st.binary(max_size=300))
def test_config_loader_bytes(data):
    with contextlib.suppress(ReviewgenError):
        load_config(_write(data, ".yaml"))


@FUZZ
@given(st.sampled_from(sorted(DEFAULT)), st.text(min_size=1, max_size=8), yaml_values)
def test_config_loader_mutated_keys(section, key, value):
    data = (
        {**DEFAULT, section: value}
        if key == "x"
        else {
            **DEFAULT,
            section: {
                **(DEFAULT[section] if isinstance(DEFAULT[section], dict) else {}),
                key: value,
            },
        }
    )
    with contextlib.suppress(ReviewgenError):
        load_config(_write(yaml.safe_dump(data).encode(), ".yaml"))


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([".csv", ".jsonl", ".tsv"]))
def test_dataset_reader(data, suffix):
    with contextlib.suppress(ReviewgenError):
        read_reviews(_write(data, suffix))


@FUZZ
@given(st.lists(st.binary(max_size=120) | st.just(b'{"id": "x", "text": "t"}'), max_size=4))
def test_ledger_reader(lines):
    with contextlib.suppress(ReviewgenError):
        read_ledger(_write(b"\n".join(lines), ".jsonl"))
