"""The HTTP client the verifier uses: httpx, over a transport that behaves like a device.

httpx's custom-transport hook (`AsyncBaseTransport`) gets us two things its default
transport cannot give:
- `--connect-to`: the TCP connection goes to HOST2:PORT2 while TLS SNI, the certificate
  check and the Host header keep the URL's host, exactly like curl's option;
- a fresh TLS connection per request on plain asyncio, with the TLS session exposed to the
  verifier (protocol, cipher, peer certificate) as the `ssl_object` response extension.
HTTP/1.1 framing is h11's, the same parser httpx's own transport uses. Avoiding httpcore's
pool also avoids importing anyio, which keeps `adue-wizard verify` quick to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator

import h11
import httpx

from wizard.core.verify.connect_to import ConnectTo, route

USER_AGENT = "adue-wizard"
_READ_SIZE = 65536


class DeviceTransport(httpx.AsyncBaseTransport):
    """One connection per request, closed when the response is closed."""

    def __init__(self, ssl_context: ssl.SSLContext, rules: tuple[ConnectTo, ...]) -> None:
        self._ssl_context = ssl_context
        self._rules = rules

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            raise httpx.UnsupportedProtocol(f"only https:// is used, not {request.url}")
        host = request.url.host
        port = request.url.port or 443
        target_host, target_port = route(self._rules, host, port)
        try:
            reader, writer = await asyncio.open_connection(
                target_host, target_port, ssl=self._ssl_context, server_hostname=host
            )
        except (OSError, EOFError) as error:  # ssl.SSLError and socket.gaierror are OSErrors
            raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from error

        connection = h11.Connection(h11.CLIENT)
        try:
            body = await request.aread()
            head = h11.Request(
                method=request.method,
                target=request.url.raw_path,
                headers=list(request.headers.raw),
            )
            writer.write(connection.send(head) or b"")
            if body:
                writer.write(connection.send(h11.Data(data=body)) or b"")
            writer.write(connection.send(h11.EndOfMessage()) or b"")
            await writer.drain()
            event = await _next_event(connection, reader, request)
            while not isinstance(event, h11.Response):  # skip 1xx interim responses
                event = await _next_event(connection, reader, request)
        except BaseException:
            writer.close()
            raise
        return httpx.Response(
            status_code=event.status_code,
            headers=event.headers.raw_items(),
            stream=_ResponseBody(connection, reader, writer, request),
            extensions={
                "http_version": b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
                "ssl_object": writer.get_extra_info("ssl_object"),
            },
        )


class _ResponseBody(httpx.AsyncByteStream):
    def __init__(
        self,
        connection: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: httpx.Request,
    ) -> None:
        self._connection = connection
        self._reader = reader
        self._writer = writer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            event = await _next_event(self._connection, self._reader, self._request)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return

    async def aclose(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self._writer.wait_closed(), 1.0)


async def _next_event(
    connection: h11.Connection, reader: asyncio.StreamReader, request: httpx.Request
) -> object:
    """The next h11 event (callers test its type).

    A peer that closes early or does not speak HTTP/1.1 raises httpx.RemoteProtocolError."""
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        if event is not h11.NEED_DATA:
            return event
        try:
            data = await reader.read(_READ_SIZE)
        except (OSError, EOFError) as error:
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from error
        connection.receive_data(data)


def make_client(ssl_context: ssl.SSLContext, rules: tuple[ConnectTo, ...]) -> httpx.AsyncClient:
    """An AsyncClient that never follows redirects itself and ignores proxy variables
    (a device connects directly; the verifier must see what it sees)."""
    return httpx.AsyncClient(
        transport=DeviceTransport(ssl_context, rules),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
    )
