"""The extended-master-secret probe against hostile or broken plain-TCP servers on loopback,
every byte under the test's control: hand-made ServerHellos and alerts, plain HTTP, random
bytes, huge announcements, slow and silent servers, closed and refused connections, the
ClientHello it sends, and any answer at all (hypothesis)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.constants import DOMAIN
from tests.support.ems_probing import REFUSED, ThreadServer
from wizard.core.verify.ems_probe import (
    ATS_TLS12_SUITES,
    EmsProbe,
    probe_extended_master_secret,
)


def record(content_type: int, body: bytes) -> bytes:
    return struct.pack("!BHH", content_type, 0x0303, len(body)) + body


def handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def server_hello(version: int = 0x0303, extensions: tuple[int, ...] = (0xFF01, 23)) -> bytes:
    """A ServerHello choosing ECDHE-RSA-AES128-GCM-SHA256 (RFC 5246 §7.4.1.3)."""
    listed = b"".join(
        struct.pack("!HH", kind, 1) + b"\x00" if kind == 0xFF01 else struct.pack("!HH", kind, 0)
        for kind in extensions
    )
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00" + b"\xc0\x2f" + b"\x00"
    return handshake(2, body + len(listed).to_bytes(2, "big") + listed)


Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_server(answer: Answer, host: str = "127.0.0.1") -> AsyncIterator[int]:
    """A TCP server on loopback that runs `answer` for each connection; yields its port."""
    handlers: set[asyncio.Task[object]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        # Cancelled at the end of the test when still running: that ends it quietly.
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await answer(reader, writer)
        writer.close()

    server = await asyncio.start_server(handle, host, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)


def sends(data: bytes) -> Answer:
    """Reads the hello, sends `data` and closes."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(data)
        await writer.drain()

    return answer


async def probe_raw(answer: Answer, timeout: float = 5) -> EmsProbe:
    async with raw_server(answer) as port:
        return await probe_extended_master_secret("127.0.0.1", port, DOMAIN, timeout=timeout)


async def test_plain_http_server() -> None:
    result = await probe_raw(sends(b"HTTP/1.1 400 Bad Request\r\n\r\n"))
    assert result == EmsProbe(
        "failed", "the server answered in plain HTTP, not TLS: 'HTTP/1.1 400 Bad Request'"
    )


async def test_random_bytes() -> None:
    result = await probe_raw(sends(b"\x99" + os.urandom(200)))
    assert result.outcome == "failed"
    assert result.detail.startswith("the server's answer is not TLS (it starts 99 ")


async def test_handshake_announcing_16_mib() -> None:
    announce = b"\x02" + (2**24 - 1).to_bytes(3, "big")  # a handshake length is 3 bytes
    result = await probe_raw(sends(record(22, announce + bytes(96))))
    assert result == EmsProbe(
        "failed", "the ServerHello announces 16777215 bytes; a real one has a few hundred"
    )


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A record header announcing the largest record, then its bytes one a second."""
    await reader.read(1024)
    writer.write(struct.pack("!BHH", 22, 0x0303, 2**14) + b"\x02\x00\x3f\xfc")
    while True:
        await writer.drain()
        await asyncio.sleep(1)
        writer.write(b"\x00")


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # reads the hello, answers nothing, until the probe hangs up


@pytest.mark.parametrize("answer", [drip, silent])
async def test_slow_server_times_out(answer: Answer) -> None:
    started = time.monotonic()
    result = await probe_raw(answer, timeout=0.5)
    assert time.monotonic() - started < 3
    assert result == EmsProbe("failed", "timed out after 0.5 s while waiting for the ServerHello")


async def test_server_message_split_across_records_after_a_warning() -> None:
    """A warning about the name (RFC 6066 §3) goes by; a ServerHello may come in pieces, and
    share its last record with the next message."""
    hello = server_hello()
    answer = record(21, b"\x01\x70") + record(22, hello[:1]) + record(22, hello[1:6])
    answer += record(22, hello[6:] + handshake(11, b"\x00\x00\x00"))
    result = await probe_raw(sends(answer))
    assert result.outcome == "ems"
    assert result.cipher == "ECDHE-RSA-AES128-GCM-SHA256"


NO_EMS = (
    "TLS 1.2 ServerHello with ECDHE-RSA-AES128-GCM-SHA256, no extended master secret (RFC 7627)"
)
SHORT_EXTENSION = b"\x03\x03" + bytes(32) + bytes.fromhex("00 c02f 00  0005 0017 0004 00")
HAND_MADE = {
    "renegotiation_info only": (
        record(22, server_hello(extensions=(0xFF01,))),
        EmsProbe("no_ems", NO_EMS, "ECDHE-RSA-AES128-GCM-SHA256"),
    ),
    "no extensions": (
        record(22, server_hello(extensions=())),
        EmsProbe("no_ems", NO_EMS, "ECDHE-RSA-AES128-GCM-SHA256"),
    ),
    "TLS 1.0": (
        record(22, server_hello(0x0301)),
        EmsProbe("no_tls12", "the server answered with TLS 1.0 instead of TLS 1.2"),
    ),
    "insufficient_security": (
        record(21, b"\x02\x47"),
        EmsProbe("no_tls12", REFUSED + "insufficient_security (71)"),
    ),
    "fatal unrecognized_name": (
        record(21, b"\x02\x70"),
        EmsProbe(
            "failed",
            "the server answered the TLS 1.2 ClientHello with alert unrecognized_name (112)",
        ),
    ),
    "long alert": (
        record(21, b"\x02\x46\x00"),
        EmsProbe("failed", "malformed TLS alert of 3 bytes"),
    ),
    "no such version": (
        record(22, server_hello(0x7F1C)),
        EmsProbe("failed", "ServerHello with version 0x7f1c, which is not a TLS version"),
    ),
    "EMS twice": (
        record(22, server_hello(extensions=(23, 23))),
        EmsProbe("failed", "ServerHello extension 23 sent twice"),
    ),
    "extension cut short": (
        record(22, handshake(2, SHORT_EXTENSION)),
        EmsProbe("failed", "ServerHello extension 23 cut short"),
    ),
    "ServerHello cut short": (
        record(22, server_hello()[:-1]),
        EmsProbe(
            "failed", "the server closed the connection after 57 bytes, before a whole ServerHello"
        ),
    ),
    "certificate first": (
        record(22, handshake(11, bytes(20))),
        EmsProbe("failed", "the server's first handshake message is type 11, not ServerHello"),
    ),
    "application data": (
        record(23, bytes(20)),
        EmsProbe("failed", "unexpected TLS record of type 23 before the ServerHello"),
    ),
    "empty record": (
        record(22, b""),
        EmsProbe("failed", "TLS record of 0 bytes, outside RFC 5246's 1 to 16384"),
    ),
}


@pytest.mark.parametrize(("answer", "expected"), HAND_MADE.values(), ids=HAND_MADE.keys())
async def test_hand_made_answers(answer: bytes, expected: EmsProbe) -> None:
    assert await probe_raw(sends(answer)) == expected


async def test_server_that_closes_at_once() -> None:
    async def close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pass

    async with raw_server(close) as port:
        result = await probe_extended_master_secret("127.0.0.1", port, DOMAIN, timeout=5)
    # Closed before or after the hello arrived (a close with the hello unread is a reset):
    # either way the detail says what happened.
    assert result.detail in (
        "the server closed the connection without answering",
        f"Connection reset by peer while waiting for the ServerHello (127.0.0.1 port {port})",
    )


async def test_server_closing_mid_record() -> None:
    result = await probe_raw(sends(struct.pack("!BHH", 22, 0x0303, 50) + b"\x02\x00"))
    assert result == EmsProbe(
        "failed", "the server closed the connection after 7 bytes, before a whole ServerHello"
    )


async def test_refused_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    result = await probe_extended_master_secret("127.0.0.1", port, None, timeout=5)
    assert result == EmsProbe(
        "failed", f"Connection refused while connecting (127.0.0.1 port {port})"
    )


async def test_unresolvable_names() -> None:
    result = await probe_extended_master_secret("empty..label", 443, None, timeout=5)
    assert result.outcome == "failed"
    assert result.detail.startswith("cannot resolve 'empty..label': ")
    # Without a resolver at hand the look-up may time out instead: both say what happened.
    result = await probe_extended_master_secret("no-such-host.invalid", 443, None, timeout=5)
    assert result.outcome == "failed"
    assert result.detail.startswith(
        ("cannot resolve 'no-such-host.invalid': ", "timed out after 5 s while connecting")
    )


async def test_client_hello_offers_only_the_ats_suites_and_ems() -> None:
    """What a TLS server reads: the four ATS suites (and the renegotiation SCSV), EMS, and
    no supported_versions, so that a TLS 1.3 server must answer as TLS 1.2 or refuse."""
    received: list[bytes] = []

    async def keep(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(4096))

    await probe_raw(keep, timeout=0.5)
    hello = received[0]
    record_type, _, record_length = struct.unpack_from("!BHH", hello)
    assert (record_type, record_length, hello[5]) == (22, len(hello) - 5, 1)
    assert hello[9:11] == b"\x03\x03"
    session_end = 44 + hello[43]
    suites_length = int.from_bytes(hello[session_end : session_end + 2], "big")
    suites_data = hello[session_end + 2 : session_end + 2 + suites_length]
    suites = [int.from_bytes(suites_data[i : i + 2], "big") for i in range(0, suites_length, 2)]
    assert suites == [*ATS_TLS12_SUITES, 0x00FF]
    position = session_end + 2 + suites_length + 2 + 2  # compression: one null method
    extensions = []
    while position < len(hello):
        kind, size = struct.unpack_from("!HH", hello, position)
        extensions.append(kind)
        position += 4 + size
    assert extensions == [0, 10, 11, 13, 23]


class AnswerServer(ThreadServer):
    """Reads one ClientHello per connection, sends `answer` and closes: in a thread, so that
    hypothesis can run many examples against it, each with an event loop of its own."""

    answer = b""

    def handle(self, connection: socket.socket) -> None:
        header = connection.recv(5, socket.MSG_WAITALL)
        connection.recv(int.from_bytes(header[3:5], "big"), socket.MSG_WAITALL)
        connection.sendall(self.answer)
        connection.shutdown(socket.SHUT_WR)
        connection.recv(1)  # the probe hangs up first: no reset for unread bytes


def extensions_block(listed: list[tuple[int, bytes]]) -> bytes:
    block = b"".join(struct.pack("!HH", kind, len(data)) + data for kind, data in listed)
    return len(block).to_bytes(2, "big") + block


# Any bytes, and bytes shaped enough like TLS to reach the ServerHello parser and past it.
EXTENSION = st.tuples(st.sampled_from([23, 0xFF01, 11, 0xABCD]), st.binary(max_size=2))
EXTENSIONS = st.lists(EXTENSION, max_size=4, unique_by=lambda extension: extension[0])
ANSWERS = st.one_of(
    st.binary(max_size=300),
    st.builds(record, st.sampled_from([21, 22]), st.binary(max_size=100)),
    st.builds(lambda body: record(22, handshake(2, b"\x03\x03" + body)), st.binary(max_size=200)),
    st.builds(
        lambda suite, extensions: record(
            22, handshake(2, b"\x03\x03" + bytes(32) + b"\x00" + suite + b"\x00" + extensions)
        ),
        st.sampled_from([bytes.fromhex("c02f"), bytes.fromhex("c02c"), b"\x00\x2f"]),
        st.one_of(st.binary(max_size=40), st.builds(extensions_block, EXTENSIONS)),
    ),
)


def test_any_answer_gives_an_outcome() -> None:
    server = AnswerServer()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ANSWERS)
    def check(answer: bytes) -> None:
        server.answer = answer
        result = asyncio.run(
            probe_extended_master_secret("127.0.0.1", server.port, DOMAIN, timeout=5)
        )
        assert isinstance(result, EmsProbe)
        assert result.outcome in ("ems", "no_ems", "no_tls12", "failed")
        assert result.detail.isprintable()  # one line, no escape codes for the terminal
        assert (result.cipher is not None) == (result.outcome in ("ems", "no_ems"))

    try:
        check()
    finally:
        server.stop()
