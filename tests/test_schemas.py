import json

import pytest
from pydantic import ValidationError

from reviewgen import __version__
from reviewgen.core.schemas import ReviewRecord
from tests.helpers import make_record


def test_record_round_trips_and_is_marked_synthetic():
    record = make_record(3)
    data = json.loads(record.model_dump_json())
    assert data["synthetic"] is True
    assert data["generator"] == f"reviewgen {__version__}"
    assert ReviewRecord.model_validate(data) == record
    expected = {
        "id",
        "text",
        "rating",
        "product",
        "persona",
        "aspects",
        "length_target",
        "planned_length",
        "planned_aspects",
        "models",
        "seed",
        "slot",
        "attempts",
        "critic",
        "noise",
        "exemplar_ids",
        "nearest_similarity",
        "synthetic",
        "created_at",
        "generator",
    }
    assert set(data) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("synthetic", False), ("rating", 6), ("rating", 0), ("unknown_field", 1)],
)
def test_record_rejects_invalid_values(field, value):
    data = json.loads(make_record(1).model_dump_json())
    data[field] = value
    with pytest.raises(ValidationError):
        ReviewRecord.model_validate(data)
