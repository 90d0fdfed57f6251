"""Fixtures for every test that talks to the JumpCloud stand-in (imported by the conftest of
each folder that needs them): an environment without the machine's proxy, CA-file and
JumpCloud variables, the test CA trusted through `$SSL_CERT_FILE`, and stand-ins started
and stopped for the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState, StartStandIn

OUTSIDE_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "JUMPCLOUD_API_KEY",
    "JUMPCLOUD_API_URL",
)


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OUTSIDE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, ca_bundle: Path) -> Path:
    """`$SSL_CERT_FILE` names the test CA, as for an admin behind a TLS-inspecting proxy."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_bundle))
    return ca_bundle


@pytest.fixture
def start_standin(ca: trustme.CA) -> Iterator[StartStandIn]:
    """Start stand-ins for the test; each is stopped afterwards and must not have failed."""
    started: list[JumpCloudStandIn] = []

    def start(state: JumpCloudState, host: str = "127.0.0.1") -> JumpCloudStandIn:
        standin = JumpCloudStandIn(state, ca, host=host)
        standin.start()
        started.append(standin)
        return standin

    yield start
    for standin in started:
        standin.stop()
        assert standin.errors == []
