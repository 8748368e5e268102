"""Study fixtures: small synthetic and real files, and a network guard that lets the tests
reach the study's own server on the loopback (and nothing else)."""

from __future__ import annotations

import csv
import json
import socket
from pathlib import Path

import pytest

from reviewgen.study.create import create_study
from reviewgen.study.store import Study
from tests.conftest import NetworkAccessError

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PRODUCTS = ["Pixel 9a", "Galaxy A56", "Moto G Power"]
WORDS = [
    "battery",
    "screen",
    "camera",
    "charger",
    "case",
    "speaker",
    "button",
    "strap",
    "box",
    "signal",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create = socket.create_connection

    def allowed(sock: socket.socket, address: object) -> bool:
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return True
        return isinstance(address, tuple) and address[0] in LOOPBACK

    def connect(self: socket.socket, address: object) -> None:
        if not allowed(self, address):
            raise NetworkAccessError(f"test tried to connect to {address!r}")
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if not allowed(self, address):
            raise NetworkAccessError(f"test tried to connect to {address!r}")
        return original_connect_ex(self, address)

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        if address[0] not in LOOPBACK:
            raise NetworkAccessError(f"test tried to connect to {address!r}")
        return original_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)


def review_text(i: int, words: int) -> str:
    """A made-up review of ``words`` words, free of the words 'real' and 'synthetic'."""
    body = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(words - 2))
    return f"Review {i}: {body}."


def write_synthetic(path: Path, texts: list[str], *, stars: bool = True) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            record = {
                "id": f"SYNID-{i:04d}",
                "text": text,
                "product": {"name": PRODUCTS[i % 3], "brand": "x"},
            }
            if stars:
                record["rating"] = 1 + i % 5
            handle.write(json.dumps(record) + "\n")
    return path


def write_real(path: Path, texts: list[str], *, text_column: str = "text") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", text_column, "rating", "product"])
        for i, text in enumerate(texts):
            writer.writerow([f"REALID-{i:04d}", text, 5 - i % 5, PRODUCTS[i % 3]])
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Eight synthetic and eight real reviews of 5 to 70 words."""
    synthetic = write_synthetic(
        tmp_path / "syn.jsonl", [review_text(i, 5 + 9 * i) for i in range(8)]
    )
    real = write_real(tmp_path / "real.csv", [review_text(100 + i, 6 + 8 * i) for i in range(8)])
    return synthetic, real


@pytest.fixture
def study(files: tuple[Path, Path], tmp_path: Path) -> Study:
    """Ten reviews (five of each) for two people."""
    synthetic, real = files
    return create_study(
        synthetic, real, tmp_path / "study", per_rater=10, raters=["ann", "bob"], seed=3
    )
