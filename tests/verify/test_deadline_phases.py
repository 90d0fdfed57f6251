"""A deadline names the phase that ran out: resolving, connecting, the TLS handshake,
waiting for the response, reading the body. Each is produced by a real socket on loopback,
except resolving (a resolver cannot be made slow on loopback: the lookup is replaced)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.constants import DOMAIN, WELL_KNOWN
from tests.support.https_server import HTTPSServer, Request
from tests.support.verifying import check, options_for, verify
from wizard.core.verify import verifier as verifier_module
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.options import VerifyOptions

TIMEOUT = 1.0


def routed_to(port: int, ca_bundle: Path) -> VerifyOptions:
    return VerifyOptions(
        connect_to=(ConnectTo(None, 443, "127.0.0.1", port),),
        ca_bundle=str(ca_bundle),
        timeout=TIMEOUT,
    )


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """Accepts TCP connections and never says a word (a TLS handshake never completes)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


def test_resolving(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*args: object) -> list[str]:
        await asyncio.sleep(60)
        return []

    monkeypatch.setattr(verifier_module, "addresses_of", never)
    report = verify(VerifyOptions(timeout=TIMEOUT))
    status, code, summary = check(report, "dns")
    # A look-up still unanswered at the deadline is this machine's resolver failing: the
    # domain's state is unknown, not a timeout of its server.
    assert (status, code) == ("fail", "resolver_failed") and report.unknown
    assert summary == f"no answer from this machine's resolver for {DOMAIN} within {TIMEOUT:g} s"


def test_connecting(ca_bundle: Path) -> None:
    # A full listen backlog: the kernel drops further SYNs, so connect() waits.
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        filler = socket.create_connection(("127.0.0.1", port))
        try:
            report = verify(routed_to(port, ca_bundle))
        finally:
            filler.close()
    status, code, summary = check(report, "connect")
    assert (status, code) == ("fail", "timeout")
    assert summary.endswith("the slow step: connecting to 127.0.0.1")


def test_tls_handshake(silent_listener: socket.socket, ca_bundle: Path) -> None:
    report = verify(routed_to(silent_listener.getsockname()[1], ca_bundle))
    status, code, summary = check(report, "connect")
    assert (status, code) == ("fail", "timeout")
    assert summary.endswith(f"the slow step: the TLS handshake with {DOMAIN}")


def test_waiting_for_the_response(server: HTTPSServer, ca_bundle: Path) -> None:
    async def never_answer(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, never_answer)
    report = verify(options_for(server, ca_bundle, timeout=TIMEOUT))
    status, code, summary = check(report, "connect")
    assert (status, code) == ("fail", "timeout")
    assert summary.endswith(f"the slow step: waiting for the response from {DOMAIN}")
    assert "while checking" not in summary


def test_reading_the_body(server: HTTPSServer, ca_bundle: Path) -> None:
    async def stall(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        await writer.drain()
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, stall)
    report = verify(options_for(server, ca_bundle, timeout=TIMEOUT))
    status, code, summary = check(report, "body")
    assert (status, code) == ("fail", "timeout")
    assert summary.endswith(f"the slow step: reading the body from {DOMAIN}")
