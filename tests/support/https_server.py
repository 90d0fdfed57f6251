"""A real HTTPS server on 127.0.0.1 whose every byte a test controls.

Each route is a coroutine that writes the raw response itself, so a test can serve a
well-formed document, or drip, stall, cut the connection, lie about Content-Length or
inject escape codes, exactly as a hostile or broken server would. The server runs its own
event loop in a thread, so both async tests and subprocess tests (the CLI) can reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    target: str
    host: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def response_bytes(
    status: int,
    body: bytes | str = b"",
    headers: dict[str, str] | None = None,
    reason: str = "X",
) -> bytes:
    payload = body.encode() if isinstance(body, str) else body
    merged = {"Content-Length": str(len(payload)), "Connection": "close", **(headers or {})}
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in merged.items()
    )
    return head.encode("latin-1") + b"\r\n" + payload


def respond(status: int, body: bytes | str = b"", headers: dict[str, str] | None = None) -> Handler:
    """A handler that sends one complete response."""
    data = response_bytes(status, body, headers)

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return handler


def redirect(location: str, status: int = 301) -> Handler:
    return respond(status, b"", {"Location": location})


def json_document(text: str, content_type: str = "application/json") -> Handler:
    return respond(200, text, {"Content-Type": content_type})


@dataclass
class HTTPSServer:
    # None: plain HTTP (a relay on this machine, as a webhook may be).
    ssl_context: ssl.SSLContext | None
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    # Connections accepted with a completed handshake, a request on them or not.
    connections: int = 0

    def route(self, key: str, handler: Handler) -> None:
        """`key` is "/path" for any host, or "host/path" for one virtual host."""
        self.routes[key] = handler

    def start(self, host: str = "127.0.0.1", port: int = 0) -> HTTPSServer:
        """Listen on host:port (port 0: any free port); raises OSError if it is taken."""
        ready = threading.Event()
        failed: list[OSError] = []
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            try:
                self._server = await asyncio.start_server(
                    self._handle, host, port, ssl=self.ssl_context
                )
            except OSError as error:
                failed.append(error)
                ready.set()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            async with self._server:
                await self._server.serve_forever()

        def run() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(serve())

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("test HTTPS server did not start")
        if failed:
            self._thread.join(5)
            raise failed[0]
        return self

    def stop(self) -> None:
        def shutdown() -> None:
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()

        self._loop.call_soon_threadsafe(shutdown)
        self._thread.join(5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests.append(request)
            handler = self.routes.get(f"{request.host}{request.path}") or self.routes.get(
                request.path
            )
            await (handler or respond(404, "not found"))(request, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = b""
    if int(headers.get("content-length", "0") or 0):
        body = await reader.readexactly(int(headers["content-length"]))
    host = headers.get("host", "").rsplit(":", 1)[0] if "]" not in headers.get("host", "") else ""
    return Request(method, target, host, headers, body)


class BlockingTLSServer:
    """A one-thread HTTPS server on plain blocking sockets, for handshake tests.

    asyncio drops the TLS alert a failed handshake produces (the transport is aborted before
    it is flushed), while real servers send it; a blocking socket sends it, like nginx does.
    Every successful request gets `response`.
    """

    def __init__(self, context: ssl.SSLContext, response: bytes) -> None:
        self._context = context
        self._response = response
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            with (
                contextlib.suppress(OSError),
                connection,
                self._context.wrap_socket(connection, server_side=True) as tls,
            ):
                tls.recv(65536)
                tls.sendall(self._response)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self._socket.close()
