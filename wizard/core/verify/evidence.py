"""Evidence gathered during a run, without changing what the checks see: the start of the final
response's body, and the certificates a server sent when they failed to verify."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import zlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx

from wizard.core.results import MAX_EXCERPT_CHARS
from wizard.core.verify.connect_to import ConnectTo, route

# The start of a failing answer's body is evidence, not a check: a server that sends the
# headers and then stalls must still get its status judged, so the peek gives up after this.
PEEK_SECONDS = 1.0
# A failed handshake's certificates are fetched again with verification off, only to describe
# them; this bounds that second handshake.
CHAIN_FETCH_TIMEOUT = 3.0


class _Replay(httpx.AsyncByteStream):
    """The bytes already read, then the rest of the original stream: readers see the whole body."""

    def __init__(
        self, head: list[bytes], rest: AsyncIterator[bytes], original: httpx.AsyncByteStream
    ) -> None:
        self._head = head
        self._rest = rest
        self._original = original

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._head:
            yield chunk
        async for chunk in self._rest:
            yield chunk

    async def aclose(self) -> None:
        await self._original.aclose()


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator


async def peek_body(response: httpx.Response, limit: int = MAX_EXCERPT_CHARS) -> str | None:
    """The first `limit` characters of the body as text (control characters kept: callers
    escape them when showing). The response still yields its whole body afterwards."""
    original = response.stream
    if not isinstance(original, httpx.AsyncByteStream):
        return None
    iterator = original.__aiter__()
    head: list[bytes] = []
    size = 0
    rest: AsyncIterator[bytes] = iterator
    try:
        async with asyncio.timeout(PEEK_SECONDS):
            while size < limit:
                chunk = await iterator.__anext__()
                head.append(chunk)
                size += len(chunk)
    except StopAsyncIteration:
        pass
    except (httpx.HTTPError, TimeoutError):
        # Cut or stalled: later readers get what arrived, and the connection is closed.
        rest = _nothing()
    response.stream = _Replay(list(head), rest, original)
    raw = b"".join(head)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "deflate"):
        try:
            raw = zlib.decompressobj(47 if encoding == "gzip" else 15).decompress(raw, limit * 4)
        except zlib.error:
            return None
    elif encoding not in ("", "identity"):
        return None
    return raw.decode("utf-8", "replace")[:limit]


async def fetch_peer_chain(
    url: str, rules: tuple[ConnectTo, ...], address: str | None = None
) -> list[bytes]:
    """The DER certificates the server at `url` sends (at `address`, when the check was
    pinned to one), read from a handshake that does not verify them (the verified one
    already failed). Empty when that fails too."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    target_host, target_port = route(rules, host, parts.port or 443)
    if address is not None:
        target_host = address
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(CHAIN_FETCH_TIMEOUT):
            _, writer = await asyncio.open_connection(
                target_host, target_port, ssl=context, server_hostname=host
            )
    except (OSError, EOFError, TimeoutError):
        return []
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return _unverified_chain(ssl_object)
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)


def _unverified_chain(ssl_object: object) -> list[bytes]:
    # Python 3.13 made get_unverified_chain() public; 3.10-3.12 have it on the inner object.
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:
        leaf = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None  # type: ignore[attr-defined]
        return [leaf] if leaf else []
    chain = getter() or []
    der: list[bytes] = []
    for certificate in chain:
        if isinstance(certificate, bytes):
            der.append(certificate)
        else:
            der.append(certificate.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]
    return der
