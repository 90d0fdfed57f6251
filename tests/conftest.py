"""Fixtures every folder uses: a state folder of each test's own, a trustme CA and a
certificate for the test names, HTTPS servers on loopback, a site for the real web servers.

Every test domain lives under `.test` (never resolvable) and reaches the local server
through `--connect-to`, the same way an admin tests a server before DNS points at it.
Helpers and constants are in `tests.support`.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.constants import DOMAIN, TEST_NAMES
from tests.support.https_server import HTTPSServer
from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState, StartStandIn
from tests.support.verifying import server_context
from tests.support.web_servers import Site, site_folder


@pytest.fixture(autouse=True)
def isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every command it runs) saves setups in a folder of its own."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("ADUE_WIZARD_STATE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def good_cert(ca: trustme.CA) -> trustme.LeafCert:
    return ca.issue_cert(*TEST_NAMES)


@pytest.fixture
def start_server() -> Iterator[Callable[..., HTTPSServer]]:
    """Start HTTPS servers for the test; each is stopped afterwards."""
    started: list[HTTPSServer] = []

    def start(context: ssl.SSLContext) -> HTTPSServer:
        server = HTTPSServer(context).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., HTTPSServer], good_cert: trustme.LeafCert) -> HTTPSServer:
    """An HTTPS server with a trusted certificate for every test name."""
    return start_server(server_context(good_cert))


@pytest.fixture
def site(good_cert: trustme.LeafCert) -> Iterator[Site]:
    """A site folder for the real web servers, serving DOMAIN with the test certificate."""

    with site_folder(good_cert, DOMAIN) as folder:
        yield folder


# What an admin's shell may set that changes how JumpCloud is reached (the machine running
# the tests may set some of them itself).
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


@pytest.fixture
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy, CA-file or JumpCloud variables: each test sets what it needs."""
    for name in OUTSIDE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, ca_bundle: Path) -> Path:
    """`$SSL_CERT_FILE` names the test CA, as for an admin behind a TLS-inspecting proxy."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_bundle))
    return ca_bundle


@pytest.fixture
def start_standin(ca: trustme.CA) -> Iterator[StartStandIn]:
    """Start JumpCloud stand-ins for the test; each is stopped afterwards and must not
    have failed."""
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
