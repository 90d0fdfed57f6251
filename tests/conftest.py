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
