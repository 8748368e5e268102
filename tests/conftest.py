"""Shared fixtures. Every test runs offline: a guard fails any attempt to open a connection."""

from __future__ import annotations

import socket

import pytest


class NetworkAccessError(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def guard(self: socket.socket, address: object) -> None:
        family = getattr(self, "family", None)
        if family == socket.AF_UNIX:
            return original(self, address)
        raise NetworkAccessError(f"test tried to open a network connection to {address!r}")

    original = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: guard(socket.socket(), a[0]))
