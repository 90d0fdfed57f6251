"""Keeping watch: every saved setup at once, the outputs monitoring systems read, messages
to webhooks when a domain's state changes, and drift."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.https_server import HTTPSServer


@pytest.fixture
def relay(start_server: Callable[..., HTTPSServer]) -> HTTPSServer:
    """A webhook receiver on 127.0.0.1 over plain HTTP, as a local relay is."""
    return start_server(None)
