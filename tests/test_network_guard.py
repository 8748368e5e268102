import socket

import pytest

from tests.conftest import NetworkAccessError


def test_guard_blocks_network_connections():
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as sock, pytest.raises(NetworkAccessError):
        sock.connect(("127.0.0.1", 9))
