"""Checking a domain as a device does, against real HTTPS servers on loopback."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import pytest

from tests.support.constants import GOOD
from tests.support.https_server import BlockingTLSServer, response_bytes

StartBlocking = Callable[[ssl.SSLContext], BlockingTLSServer]


@pytest.fixture
def blocking_server() -> Iterator[StartBlocking]:
    """Start blocking-socket TLS servers (they send the alert of a failed handshake, as
    real servers do, and speak TLS 1.1 where asyncio's server resets); each answers any
    request with the GOOD document and is stopped afterwards."""
    started: list[BlockingTLSServer] = []

    def start(context: ssl.SSLContext) -> BlockingTLSServer:
        server = BlockingTLSServer(
            context, response_bytes(200, GOOD, {"Content-Type": "application/json"})
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
