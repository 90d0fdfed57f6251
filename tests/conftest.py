"""Shared fixtures: a trustme CA, certificates for the test names, and HTTPS servers.

Every test domain lives under `.test` (never resolvable) and reaches the local server
through `--connect-to`, the same way an admin tests a server before DNS points at it.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from tests.https_server import HTTPSServer
from tests.real_servers import Site
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.verifier import VerifyOptions

DOMAIN = "example.test"
JUMPCLOUD = "apple.mdm.jumpcloud.com"
ORG_ID = "5f1b2c3d4e5f6a7b8c9d0e1f"
TEST_NAMES = [DOMAIN, f"*.{DOMAIN}", JUMPCLOUD, "127.0.0.1"]


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


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


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


def options_for(server: HTTPSServer, ca_bundle: Path, **overrides: object) -> VerifyOptions:
    """VerifyOptions that route every host on :443 to `server` and trust the test CA."""
    settings: dict[str, object] = {
        "connect_to": (ConnectTo(None, 443, "127.0.0.1", server.port),),
        "ca_bundle": str(ca_bundle),
        "timeout": 3.0,
    }
    settings.update(overrides)
    return VerifyOptions(**settings)  # type: ignore[arg-type]


@pytest.fixture
def site(good_cert: trustme.LeafCert) -> Iterator[Site]:
    """A site folder for the real web servers, serving DOMAIN with the test certificate."""
    from tests.real_servers import site_folder

    with site_folder(good_cert, DOMAIN) as folder:
        yield folder
