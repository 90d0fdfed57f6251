"""The HTTP client the verifier uses: httpx, over a transport that behaves like a device.

httpx's custom-transport hook (`AsyncBaseTransport`) gets us what its default transport
cannot give:
- `--connect-to` and `--resolve`: the TCP connection goes to HOST2:PORT2 and/or a given
  address, while TLS SNI, the certificate check and the Host header keep the URL's host,
  exactly like curl's options;
- a pinned address (the `ADDRESS` request extension), so the verifier can check each
  address a domain resolves to, one run per address;
- the phase a request is in (resolving, connecting, the TLS handshake, waiting for the
  response, reading the body), reported through the `ON_PHASE` request extension, so a
  deadline can say what was slow;
- a fresh TLS connection per request on plain asyncio, with the TLS session exposed to the
  verifier (protocol, cipher, peer certificate) as the `ssl_object` response extension,
  and the address it went to as `peer`.
HTTP/1.1 framing is h11's, the same parser httpx's own transport uses. Avoiding httpcore's
pool also avoids importing anyio, which keeps `adue-wizard verify` quick to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable
from http.cookiejar import DefaultCookiePolicy

import h11
import httpx

from wizard.core.verify.connect_to import ConnectTo, route
from wizard.core.verify.resolve import Resolve, addresses_of

# What an iOS 26 device sends with its well-known request: read from the iOS 26.1
# device-management client code (DMCHTTPRequestor) and seen in a published trace of a real
# device's request (Fleet's account-driven user enrollment write-up). Apple documents none.
DEVICE_USER_AGENT = "DeviceManagementClient/1.0"


def user_agent_problem(text: str) -> str | None:
    """Why `text` cannot be sent as a User-Agent header, or None: one printable line."""
    if not text.strip() or not text.isprintable():
        return "must be printable text on one line, not empty"
    return None


DEVICE_HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-US,en;q=0.9",
}

# Request extensions the verifier sets: the address to connect to (the first hop of a
# per-address run), and a callable told each phase as it starts.
ADDRESS = "adue.address"
ON_PHASE = "adue.on_phase"
OnPhase = Callable[[str, str], None]  # (phase, host or address)

RESOLVING, CONNECTING, TLS_HANDSHAKE = "resolving", "connecting", "the TLS handshake"
WAITING, READING_BODY = "waiting for the response", "reading the body"

_READ_SIZE = 65536


class DeviceTransport(httpx.AsyncBaseTransport):
    """One connection per request, closed when the response is closed."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        rules: tuple[ConnectTo, ...],
        resolve_rules: tuple[Resolve, ...] = (),
    ) -> None:
        self._ssl_context = ssl_context
        self._rules = rules
        self._resolve_rules = resolve_rules

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            raise httpx.UnsupportedProtocol(f"only https:// is used, not {request.url}")
        host = request.url.host
        on_phase: OnPhase = request.extensions.get(ON_PHASE) or _no_phase
        reader, writer = await self._connect(request, host, on_phase)
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
            on_phase(WAITING, host)
            event = await _next_event(connection, reader, request)
            while not isinstance(event, h11.Response):  # skip 1xx interim responses
                event = await _next_event(connection, reader, request)
        except BaseException:
            writer.close()
            raise
        return httpx.Response(
            status_code=event.status_code,
            headers=event.headers.raw_items(),
            stream=_ResponseBody(connection, reader, writer, request, on_phase),
            extensions={
                "http_version": b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
                "ssl_object": writer.get_extra_info("ssl_object"),
                # (address, port, ...): where the connection went, for a probe of the same
                # server (the extended master secret).
                "peer": writer.get_extra_info("peername"),
            },
        )

    async def _connect(
        self, request: httpx.Request, host: str, on_phase: OnPhase
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await open_tls(
                host,
                request.url.port or 443,
                self._ssl_context,
                self._rules,
                self._resolve_rules,
                pinned=request.extensions.get(ADDRESS),
                on_phase=on_phase,
            )
        except (OSError, EOFError, UnicodeError) as error:  # ssl.SSLError is an OSError
            raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from error


async def open_tls(
    host: str,
    port: int,
    ssl_context: ssl.SSLContext,
    rules: tuple[ConnectTo, ...],
    resolve_rules: tuple[Resolve, ...],
    *,
    pinned: str | None = None,
    on_phase: OnPhase | None = None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """TCP to the pinned address, or to the first address that connects (as the OS does),
    routed by `--connect-to` and `--resolve`, then the TLS handshake for `host`. Raises
    OSError (ssl.SSLError for the handshake) or UnicodeError for a name IDNA refuses."""
    on_phase = on_phase or _no_phase
    target_host, target_port = route(rules, host, port)
    if pinned:
        candidates = [pinned]
    else:
        on_phase(RESOLVING, target_host)
        candidates = await addresses_of(target_host, target_port, resolve_rules)
    reader, writer = await _first_that_connects(candidates, target_port, on_phase)
    on_phase(TLS_HANDSHAKE, host)
    try:
        await writer.start_tls(ssl_context, server_hostname=host)
    except (OSError, EOFError):
        # Waiting for the close also collects the handshake error the stream kept, which
        # asyncio would otherwise report as "never retrieved" when it is garbage collected.
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1.0)
        raise
    except BaseException:
        writer.close()
        raise
    return reader, writer


async def _first_that_connects(
    addresses: list[str], port: int, on_phase: OnPhase
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    last: OSError = OSError("no address to connect to")
    for address in addresses:
        on_phase(CONNECTING, address)
        try:
            return await asyncio.open_connection(address, port)
        except OSError as error:
            last = error
    raise last


class _ResponseBody(httpx.AsyncByteStream):
    def __init__(
        self,
        connection: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: httpx.Request,
        on_phase: OnPhase,
    ) -> None:
        self._connection = connection
        self._reader = reader
        self._writer = writer
        self._request = request
        self._on_phase = on_phase

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._on_phase(READING_BODY, self._request.url.host)
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


def _no_phase(phase: str, where: str) -> None:
    pass


def make_client(
    ssl_context: ssl.SSLContext,
    rules: tuple[ConnectTo, ...],
    resolve_rules: tuple[Resolve, ...] = (),
    user_agent: str = DEVICE_USER_AGENT,
) -> httpx.AsyncClient:
    """An AsyncClient that sends the device's headers and nothing else, never follows
    redirects itself, keeps no cookies (the device uses an ephemeral session) and ignores
    proxy variables (a device connects directly; the verifier must see what it sees)."""
    client = httpx.AsyncClient(
        transport=DeviceTransport(ssl_context, rules, resolve_rules),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": user_agent, **DEVICE_HEADERS},
    )
    # httpx adds `Connection: keep-alive` by default; the published trace does not show it.
    del client.headers["Connection"]
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return client
