"""The extended-master-secret probe against real TLS servers (Python's ssl, i.e. OpenSSL) on
loopback: TLS 1.2 with and without EMS, RSA and ECDSA, IPv4 and IPv6, servers that refuse
the ATS suites or TLS 1.2, and the SNI it sends."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator

import pytest
import trustme

from tests.support.constants import DOMAIN, TEST_NAMES
from tests.support.ems_probing import REFUSED, ThreadServer
from wizard.core.verify.ems_probe import (
    ATS_TLS12_SUITES,
    EmsProbe,
    probe_extended_master_secret,
)
from wizard.core.verify.tls import ATS_TLS12_CIPHERS

# OpenSSL 3's SSL_OP_NO_EXTENDED_MASTER_SECRET; the ssl module has no name for it.
# test_openssl_client_agrees shows that it really takes EMS away.
NO_EXTENDED_MASTER_SECRET = 0x1
SUITES = {
    "RSA": {"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"},
    "ECDSA": {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"},
}


def ipv6_loopback() -> bool:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        return False
    return True


LOOPBACKS = [
    "127.0.0.1",
    pytest.param("::1", marks=pytest.mark.skipif(not ipv6_loopback(), reason="no ::1 here")),
]


class HandshakeServer(ThreadServer):
    """A real TLS server that only shakes hands; records the SNI of every hello (None when
    there was none)."""

    def __init__(self, context: ssl.SSLContext, host: str = "127.0.0.1") -> None:
        self.server_names: list[str | None] = []
        context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        self._context = context
        super().__init__(host)

    def handle(self, connection: socket.socket) -> None:
        self._context.wrap_socket(connection, server_side=True).close()


Serve = Callable[..., HandshakeServer]


@pytest.fixture
def serve() -> Iterator[Serve]:
    started: list[HandshakeServer] = []

    def start(context: ssl.SSLContext, host: str = "127.0.0.1") -> HandshakeServer:
        started.append(HandshakeServer(context, host))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def tls_context(
    cert: trustme.LeafCert,
    version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    *,
    ems: bool = True,
) -> ssl.SSLContext:
    """A server context speaking only `version`, with or without EMS."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    context.minimum_version = context.maximum_version = version
    if not ems:
        context.options |= NO_EXTENDED_MASTER_SECRET
    return context


async def probe(server: HandshakeServer, server_name: str | None = DOMAIN) -> EmsProbe:
    return await probe_extended_master_secret(server.host, server.port, server_name, timeout=5)


@pytest.fixture(scope="module")
def certs() -> dict[str, trustme.LeafCert]:
    """A leaf and CA of each key type. trustme picks the leaf's key type apart from its
    CA's, and both default to ECDSA: RSA has to be asked for twice."""
    return {
        name: trustme.CA(key_type=key_type).issue_cert(*TEST_NAMES, key_type=key_type)
        for name, key_type in (("RSA", trustme.KeyType.RSA), ("ECDSA", trustme.KeyType.ECDSA))
    }


def test_suite_names_are_the_ones_the_verifier_configures() -> None:
    assert list(ATS_TLS12_SUITES.values()) == ATS_TLS12_CIPHERS.split(":")


@pytest.mark.parametrize("host", LOOPBACKS)
@pytest.mark.parametrize("key_type", ["RSA", "ECDSA"])
async def test_tls12_server_with_ems(
    serve: Serve,
    certs: dict[str, trustme.LeafCert],
    key_type: str,
    host: str,
) -> None:
    result = await probe(serve(tls_context(certs[key_type]), host))
    assert result.outcome == "ems"
    assert result.cipher in SUITES[key_type]
    assert result.detail == (
        f"TLS 1.2 ServerHello with {result.cipher}, extended master secret (RFC 7627)"
    )


@pytest.mark.parametrize("host", LOOPBACKS)
@pytest.mark.parametrize("key_type", ["RSA", "ECDSA"])
async def test_tls12_server_without_ems(
    serve: Serve,
    certs: dict[str, trustme.LeafCert],
    key_type: str,
    host: str,
) -> None:
    result = await probe(serve(tls_context(certs[key_type], ems=False), host))
    assert result.outcome == "no_ems"
    assert result.cipher in SUITES[key_type]
    assert result.detail == (
        f"TLS 1.2 ServerHello with {result.cipher}, no extended master secret (RFC 7627)"
    )


@pytest.mark.parametrize("host", LOOPBACKS)
async def test_tls13_only_server_refuses_with_an_alert(
    serve: Serve, certs: dict[str, trustme.LeafCert], host: str
) -> None:
    result = await probe(serve(tls_context(certs["RSA"], ssl.TLSVersion.TLSv1_3), host))
    assert result == EmsProbe("no_tls12", REFUSED + "protocol_version (70)")


async def test_server_without_the_ats_suites_refuses(
    serve: Serve, certs: dict[str, trustme.LeafCert]
) -> None:
    context = tls_context(certs["RSA"])
    context.set_ciphers("ECDHE-RSA-AES128-SHA")  # forward secret, but CBC: not for ATS
    result = await probe(serve(context))
    assert result == EmsProbe("no_tls12", REFUSED + "handshake_failure (40)")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")
@pytest.mark.parametrize("ems", [True, False])
async def test_openssl_client_agrees(
    serve: Serve, certs: dict[str, trustme.LeafCert], ems: bool
) -> None:
    """How the tests know the option really turns EMS off: OpenSSL's own client says so."""
    server = serve(tls_context(certs["RSA"], ems=ems))
    command = ["openssl", "s_client", "-tls1_2", "-connect", f"127.0.0.1:{server.port}"]
    client = await asyncio.create_subprocess_exec(
        *command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    output, _ = await asyncio.wait_for(client.communicate(), 10)
    assert f"Extended master secret: {'yes' if ems else 'no'}" in output.decode()
    assert (await probe(server)).outcome == ("ems" if ems else "no_ems")


async def test_sni_is_sent_when_given(serve: Serve, certs: dict[str, trustme.LeafCert]) -> None:
    server = serve(tls_context(certs["RSA"]))
    await probe(server, DOMAIN)
    await probe(server, f"{DOMAIN}.")  # the trailing dot is not part of the SNI (RFC 6066 §3)
    await probe(server, None)
    await probe(server, "127.0.0.1")  # an IP literal is never sent as a name
    await probe(server, "[::1]")
    assert server.server_names == [DOMAIN, DOMAIN, None, None, None]
    result = await probe(server, "bücher.test")
    assert result == EmsProbe("failed", "server name 'bücher.test' is not in ASCII (an A-label)")


async def test_server_with_tls12_and_tls13_answers_as_tls12(
    serve: Serve, certs: dict[str, trustme.LeafCert]
) -> None:
    """The usual configuration: the hello offers no TLS 1.3, so the answer is TLS 1.2."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certs["RSA"].configure_cert(context)
    assert (await probe(serve(context))).outcome == "ems"
