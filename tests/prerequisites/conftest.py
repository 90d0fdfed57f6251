"""What must be true before a device can enroll, checked live: the DNS TXT record of Apple's
domain verification, against a real DNS server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dns_server import DNSServer


@pytest.fixture
def dns_server() -> Iterator[DNSServer]:
    """A DNS server on loopback for the test; stopped afterwards, and it must not have failed."""
    with DNSServer() as server:
        yield server
    assert server.errors == []
