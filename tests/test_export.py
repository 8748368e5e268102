"""The dataset loads as written: every format, through pandas, pyarrow and Hugging Face datasets."""

from __future__ import annotations

import json

import pytest

from reviewgen.cli import main
from reviewgen.core.export import COLUMNS, flat_row
from reviewgen.core.seeds import stable_int

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
hf = pytest.importorskip("datasets")

JSON_COLUMNS = [name for name, kind in COLUMNS if kind == "json"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    base = ["generate", "--set", "models.default.provider=fake", "--count", "12", "--out", str(out)]
    assert main([*base, "--format", "csv"]) == 0
    assert main(["generate", "--resume", str(out), "--count", "12", "--format", "parquet"]) == 0
    ledger = [json.loads(line) for line in (out / "reviews.jsonl").read_text().splitlines()]
    return out, ledger


def _decoded(row: dict) -> dict:
    return {k: json.loads(v) if k in JSON_COLUMNS else v for k, v in row.items()}


def _expected(ledger: list[dict]) -> list[dict]:
    return [_decoded(flat_row(record)) for record in ledger]


def _same(loaded: list[dict], expected: list[dict]) -> None:
    assert len(loaded) == len(expected)
    for got, want in zip(loaded, expected, strict=True):
        for name, value in want.items():
            if value is None:
                assert got[name] is None or got[name] != got[name], name  # None or NaN
            else:
                assert got[name] == value, name


def test_every_seed_fits_a_signed_64_bit_integer():
    seeds = [stable_int(42, "slot", i, 0) for i in range(2000)]
    assert max(seeds) < 2**63 and max(seeds) > 2**62  # the full range is used


def test_parquet_loads_exactly_in_pyarrow_pandas_and_datasets(run):
    out, ledger = run
    expected = _expected(ledger)
    table = pq.read_table(out / "reviews.parquet")
    assert str(table.schema.field("seed").type) == "int64"
    _same([_decoded(r) for r in table.to_pylist()], expected)
    frame = pd.read_parquet(out / "reviews.parquet")
    assert frame["seed"].dtype == "int64"
    _same([_decoded(r) for r in frame.to_dict("records")], expected)
    dataset = hf.load_dataset("parquet", data_files=str(out / "reviews.parquet"), split="train")
    _same([_decoded(r) for r in dataset], expected)


def test_csv_loads_exactly_in_pandas_and_datasets(run):
    out, ledger = run
    expected = _expected(ledger)
    frame = pd.read_csv(out / "reviews.csv", keep_default_na=False, na_values=[""])
    assert frame["seed"].dtype == "int64"
    rows = [_decoded(r) for r in frame.to_dict("records")]
    for row in rows:
        row["planned_length"] = (
            None if row["planned_length"] != row["planned_length"] else int(row["planned_length"])
        )
    _same(rows, expected)
    dataset = hf.load_dataset("csv", data_files=str(out / "reviews.csv"), split="train")
    assert [r["seed"] for r in dataset] == [r["seed"] for r in ledger]


def test_the_jsonl_ledger_loads_its_seeds_as_int64(run):
    out, ledger = run
    frame = pd.read_json(out / "reviews.jsonl", lines=True)
    assert frame["seed"].dtype == "int64"
    assert frame["seed"].tolist() == [r["seed"] for r in ledger]
    dataset = hf.load_dataset("json", data_files=str(out / "reviews.jsonl"), split="train")
    assert dataset["seed"] == [r["seed"] for r in ledger]


def test_an_unknown_format_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--format", "xlsx", "--out", str(tmp_path)])
    assert "invalid choice: 'xlsx'" in capsys.readouterr().err
