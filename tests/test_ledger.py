import json

import pytest

from reviewgen.core.errors import DataError
from reviewgen.pipeline.ledger import JsonlWriter, read_ledger
from tests.helpers import make_record


def test_append_and_read_back(tmp_path):
    path = tmp_path / "reviews.jsonl"
    writer = JsonlWriter(path)
    for i in range(3):
        writer.append(make_record(i))
    writer.close()
    state = read_ledger(path)
    assert [r.slot for r in state.records] == [0, 1, 2]
    assert state.records[1].text == make_record(1).text and state.records[1].aspects == ["battery"]
    assert state.torn_bytes == 0


def test_torn_last_line_is_reported_and_cut(tmp_path):
    path = tmp_path / "reviews.jsonl"
    writer = JsonlWriter(path)
    writer.append(make_record(0))
    writer.close()
    with path.open("a") as handle:
        handle.write(make_record(1).model_dump_json()[:40])
    state = read_ledger(path, repair=True)
    assert [r.slot for r in state.records] == [0]
    assert state.torn_bytes == 40
    assert path.read_text().endswith("\n") and len(path.read_text().splitlines()) == 1


def test_foreign_line_is_a_clear_error(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps({"text": "hello"}) + "\n")
    with pytest.raises(DataError, match=r"reviews.jsonl:1: not a reviewgen record"):
        read_ledger(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"synthetic": False}, "not marked synthetic"),
        ({"slot": "3"}, "slot must be"),
        ({"aspects": "battery"}, "aspects must be"),
    ],
)
def test_a_record_that_is_not_ours_is_a_clear_error(tmp_path, change, message):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps(make_record(0).model_dump(mode="json") | change) + "\n")
    with pytest.raises(DataError, match=message):
        read_ledger(path)
