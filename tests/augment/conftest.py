"""Shared fixtures: a scripted chat model (no network) and small input datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.augment.fakes import RuleChatModel, translate


@pytest.fixture
def translator() -> RuleChatModel:
    return RuleChatModel(rule=translate)


@pytest.fixture
def reviews_jsonl(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "r1",
            "text": "The battery is great and the camera takes amazing photos.",
            "rating": 5,
            "product": {"name": "Pixel 9a", "brand": "Google"},
        },
        {
            "id": "r2",
            "text": "Terrible phone. The screen cracked after a week and I hated it.",
            "rating": 1,
            "product": "Galaxy A16",
        },
        {
            "id": "r3",
            "text": "Decent value for the price, but the software feels slow.",
            "rating": 3,
            "product": "Moto G Power",
        },
    ]
    path = tmp_path / "reviews.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
