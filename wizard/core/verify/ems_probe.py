"""Whether a server negotiates TLS 1.2 with the extended master secret (RFC 7627).

From the OS 27 releases on, Apple devices may refuse device-management servers that miss
App Transport Security's rules (Apple support note 126655); for TLS 1.2 those include the
extended master secret (EMS). Python's `ssl` module cannot tell whether EMS was negotiated,
so this probe sends a TLS 1.2 ClientHello of its own over plain TCP, offering only the ATS
suites and EMS, reads the ServerHello and looks for the EMS extension in it. It sends
nothing after the hello: no key exchange happens, so it needs no cryptography. TLS 1.3
meets ATS by design; the hello leaves out supported_versions, so a TLS 1.3 server answers
as TLS 1.2 or refuses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from typing import Literal

from wizard.core.shown import argument

Outcome = Literal["ems", "no_ems", "no_tls12", "failed"]


@dataclass(frozen=True)
class EmsProbe:
    """`ems` / `no_ems`: a TLS 1.2 ServerHello with or without EMS; `no_tls12`: the server
    refused TLS 1.2 with the ATS suites (a TLS 1.3-only server answers protocol_version) or
    offered an older version; `failed`: nothing to judge (network, timeout, not TLS)."""

    outcome: Outcome
    detail: str  # one line for a report
    cipher: str | None = None  # OpenSSL's name of the suite the server picked, when one was


TLS12 = 0x0303
# Versions a server may answer a TLS 1.2 hello with when it has nothing newer (RFC 5246 E.1).
OLDER_VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1"}

# The TLS 1.2 suites ATS accepts (RFC 5289 §3 codes), by OpenSSL's names as in tls.py.
ATS_TLS12_SUITES = {
    0xC02C: "ECDHE-ECDSA-AES256-GCM-SHA384",
    0xC02B: "ECDHE-ECDSA-AES128-GCM-SHA256",
    0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
    0xC02F: "ECDHE-RSA-AES128-GCM-SHA256",
}
# Asks for secure renegotiation without an extension (RFC 5746 §3.3); servers expect it.
EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF

# Record content types (RFC 5246 §6.2.1) and handshake message types (§7.4).
ALERT, HANDSHAKE = 21, 22
CLIENT_HELLO, SERVER_HELLO = 1, 2
MAX_RECORD = 2**14  # a plaintext record's largest fragment (RFC 5246 §6.2.1)
MAX_READ = 64 * 1024  # a ServerHello is a few hundred bytes; more means something is wrong

# Extension types (IANA "TLS ExtensionType Values").
SERVER_NAME, SUPPORTED_GROUPS, EC_POINT_FORMATS, SIGNATURE_ALGORITHMS = 0, 10, 11, 13
EXTENDED_MASTER_SECRET = 23  # RFC 7627 §5.1

# x25519, secp256r1, secp384r1 (RFC 8422 §5.1.1).
GROUPS = (0x001D, 0x0017, 0x0018)
# ECDSA, RSA-PSS and PKCS#1 with SHA-256/384/512 (codes from RFC 8446 §4.2.3).
SIGNATURE_SCHEMES = (0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)

# Alert descriptions (RFC 5246 §7.2). These three refuse TLS 1.2 with the offered suites;
# any other alert means something else went wrong.
REFUSALS = {40: "handshake_failure", 70: "protocol_version", 71: "insufficient_security"}
OTHER_ALERTS = {50: "decode_error", 80: "internal_error", 112: "unrecognized_name"}
WARNING, UNRECOGNIZED_NAME = 1, 112


class _Failed(Exception):
    """The probe cannot tell; the message is the one-line reason."""


def _vector(data: bytes, length_bytes: int) -> bytes:
    """A TLS variable-length vector: its length in `length_bytes` bytes, then the data."""
    return len(data).to_bytes(length_bytes, "big") + data


def _extension(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("!H", kind) + _vector(data, 2)  # RFC 5246 §7.4.1.4


def _uint16s(values: tuple[int, ...]) -> bytes:
    return b"".join(struct.pack("!H", value) for value in values)


def client_hello(server_name: str | None) -> bytes:
    """One TLS record holding a TLS 1.2 ClientHello (RFC 5246 §7.4.1.2)."""
    extensions = b""
    if server_name is not None:
        # RFC 6066 §3: a list of one host_name (type 0), no trailing dot, never an IP literal.
        host = server_name.rstrip(".")
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            try:
                name = host.encode("ascii")
            except UnicodeEncodeError:
                shown = argument(server_name)
                raise _Failed(f"server name {shown} is not in ASCII (an A-label)") from None
            extensions += _extension(SERVER_NAME, _vector(b"\x00" + _vector(name, 2), 2))
    extensions += _extension(SUPPORTED_GROUPS, _vector(_uint16s(GROUPS), 2))
    extensions += _extension(EC_POINT_FORMATS, _vector(b"\x00", 1))  # uncompressed only
    extensions += _extension(SIGNATURE_ALGORITHMS, _vector(_uint16s(SIGNATURE_SCHEMES), 2))
    extensions += _extension(EXTENDED_MASTER_SECRET)  # empty, RFC 7627 §5.1
    suites = (*ATS_TLS12_SUITES, EMPTY_RENEGOTIATION_INFO_SCSV)
    body = (
        struct.pack("!H", TLS12)
        + os.urandom(32)
        + _vector(b"", 1)  # no session to resume
        + _vector(_uint16s(suites), 2)
        + _vector(b"\x00", 1)  # null compression only
        + _vector(extensions, 2)
    )
    message = bytes([CLIENT_HELLO]) + _vector(body, 3)  # handshake header, RFC 5246 §7.4
    # Record version 0x0301, as common clients send for their first record (RFC 5246 E.1).
    return struct.pack("!BHH", HANDSHAKE, 0x0301, len(message)) + message


class _Reader:
    """Reads TLS records from the server, within MAX_READ bytes in all."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream
        self.received = 0

    async def _read(self, size: int) -> bytes:
        if self.received + size > MAX_READ:
            raise _Failed(f"no complete ServerHello in the first {MAX_READ // 1024} KiB")
        try:
            data = await self._stream.readexactly(size)
        except asyncio.IncompleteReadError as error:
            self.received += len(error.partial)
            closed = "the server closed the connection"
            if self.received == 0:
                raise _Failed(f"{closed} without answering") from None
            raise _Failed(
                f"{closed} after {self.received} bytes, before a whole ServerHello"
            ) from None
        self.received += size
        return data

    async def record(self) -> tuple[int, bytes]:
        """The next record's content type and fragment (RFC 5246 §6.2.1)."""
        header = await self._read(5)
        if header.startswith(b"HTTP/"):  # a plain-HTTP port, or a proxy's error page
            status_line = (header + await self._stream.read(100)).split(b"\r\n")[0]
            shown = argument(status_line.decode("latin-1"))
            raise _Failed(f"the server answered in plain HTTP, not TLS: {shown}")
        content_type, version, length = struct.unpack("!BHH", header)
        if content_type not in (20, 21, 22, 23) or version >> 8 != 3:
            raise _Failed(f"the server's answer is not TLS (it starts {header.hex(' ')})")
        if content_type not in (ALERT, HANDSHAKE):
            raise _Failed(f"unexpected TLS record of type {content_type} before the ServerHello")
        if not 0 < length <= MAX_RECORD:
            raise _Failed(f"TLS record of {length} bytes, outside RFC 5246's 1 to {MAX_RECORD}")
        return content_type, await self._read(length)


async def _read_answer(stream: asyncio.StreamReader) -> EmsProbe:
    """Records until a complete ServerHello or an alert; handshake messages may span records."""
    reader, handshake = _Reader(stream), b""
    while True:
        content_type, fragment = await reader.record()
        if content_type == ALERT:
            if len(fragment) != 2:
                raise _Failed(f"malformed TLS alert of {len(fragment)} bytes")
            level, description = fragment
            if level == WARNING and description == UNRECOGNIZED_NAME:
                continue  # RFC 6066 §3 lets a server warn about the name and go on
            return _alert(description)
        handshake += fragment
        if len(handshake) < 4:
            continue
        kind, length = handshake[0], int.from_bytes(handshake[1:4], "big")
        if kind != SERVER_HELLO:
            raise _Failed(f"the server's first handshake message is type {kind}, not ServerHello")
        if 4 + length > MAX_READ:
            raise _Failed(f"the ServerHello announces {length} bytes; a real one has a few hundred")
        if len(handshake) >= 4 + length:
            return _parse_server_hello(handshake[4 : 4 + length])


def _alert(description: int) -> EmsProbe:
    name = REFUSALS.get(description) or OTHER_ALERTS.get(description, "unknown")
    alert = f"alert {name} ({description})"
    if description in REFUSALS:
        return EmsProbe("no_tls12", f"the server refused TLS 1.2 with the ATS suites: {alert}")
    raise _Failed(f"the server answered the TLS 1.2 ClientHello with {alert}")


def _parse_server_hello(body: bytes) -> EmsProbe:
    """RFC 5246 §7.4.1.3: version, random, session id, suite, compression, extensions."""
    if len(body) < 2 + 32 + 1:
        raise _Failed(f"ServerHello of {len(body)} bytes is too short")
    version = int.from_bytes(body[:2], "big")
    if version != TLS12:
        if version in OLDER_VERSIONS:
            older = OLDER_VERSIONS[version]
            return EmsProbe("no_tls12", f"the server answered with {older} instead of TLS 1.2")
        raise _Failed(f"ServerHello with version 0x{version:04x}, which is not a TLS version")
    session_end = 35 + body[34]
    if body[34] > 32 or len(body) < session_end + 3:
        raise _Failed("ServerHello cut short or with a session id longer than 32 bytes")
    suite = int.from_bytes(body[session_end : session_end + 2], "big")
    if suite not in ATS_TLS12_SUITES:
        raise _Failed(f"the server chose suite 0x{suite:04x}, which the ClientHello did not offer")
    if body[session_end + 2] != 0:
        raise _Failed("the server chose a compression method the ClientHello did not offer")
    cipher = ATS_TLS12_SUITES[suite]
    if EXTENDED_MASTER_SECRET in _extension_types(body[session_end + 3 :]):
        detail = f"TLS 1.2 ServerHello with {cipher}, extended master secret (RFC 7627)"
        return EmsProbe("ems", detail, cipher)
    detail = f"TLS 1.2 ServerHello with {cipher}, no extended master secret (RFC 7627)"
    return EmsProbe("no_ems", detail, cipher)


def _extension_types(data: bytes) -> set[int]:
    """The ServerHello's extension types; none at all is allowed (RFC 5246 §7.4.1.3)."""
    if not data:
        return set()
    if len(data) < 2 or int.from_bytes(data[:2], "big") != len(data) - 2:
        raise _Failed("ServerHello extensions' length does not match the bytes that follow")
    found: set[int] = set()
    position = 2
    while position < len(data):
        if position + 4 > len(data):
            raise _Failed("ServerHello extension header cut short")
        kind, size = struct.unpack_from("!HH", data, position)
        value = data[position + 4 : position + 4 + size]
        if len(value) != size:
            raise _Failed(f"ServerHello extension {kind} cut short")
        if kind in found:  # RFC 5246 §7.4.1.4 forbids it
            raise _Failed(f"ServerHello extension {kind} sent twice")
        if kind == EXTENDED_MASTER_SECRET and value:
            raise _Failed("ServerHello's extended master secret is not empty (RFC 7627 §5.1)")
        found.add(kind)
        position += 4 + size
    return found


async def probe_extended_master_secret(
    address: str, port: int, server_name: str | None, *, timeout: float
) -> EmsProbe:
    """Connect to address:port, send a TLS 1.2 ClientHello offering EMS, read the ServerHello.

    Never raises for anything the network or the server does, and gives up after `timeout`
    seconds in all (connect included)."""
    writer: asyncio.StreamWriter | None = None
    step, deadline = "connecting", asyncio.timeout(timeout)
    try:
        hello = client_hello(server_name)
        async with deadline:
            reader, writer = await asyncio.open_connection(address, port)
            step = "sending the ClientHello"
            writer.write(hello)
            await writer.drain()
            step = "waiting for the ServerHello"
            return await _read_answer(reader)
    except _Failed as error:
        return EmsProbe("failed", str(error))
    except UnicodeError as error:  # a host name IDNA cannot encode
        return EmsProbe("failed", f"cannot resolve {argument(address)}: {error}")
    except OSError as error:  # TimeoutError included
        if deadline.expired():  # ours, not the system's ETIMEDOUT (also a TimeoutError)
            return EmsProbe("failed", f"timed out after {timeout:g} s while {step}")
        if isinstance(error, socket.gaierror):
            return EmsProbe("failed", f"cannot resolve {argument(address)}: {error.strerror}")
        # asyncio words a failed connect "Connect call failed (...)": the errno's text says more.
        reason = os.strerror(error.errno) if error.errno else str(error) or type(error).__name__
        return EmsProbe("failed", f"{reason} while {step} ({address} port {port})")
    finally:
        if writer is not None:
            writer.transport.abort()  # nothing more to say: no alert, no close_notify
