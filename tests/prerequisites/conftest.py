"""What must be true before a device can enroll, checked live: the DNS TXT record of Apple's
domain verification against a real DNS server on loopback, the web server, and JumpCloud's
side against its stand-in (tests/conftest.py)."""

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


@pytest.fixture(autouse=True)
def plain(plain_environment: None) -> None:
    """No proxy, CA-file or JumpCloud variables from the machine: each test sets its own."""
