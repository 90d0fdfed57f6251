"""A tiny HTTP CONNECT proxy on loopback that tunnels every host to one local port.

With `HTTPS_PROXY=http://127.0.0.1:PORT` and `SSL_CERT_FILE=<test CA>`, a client asks for
`https://console.jumpcloud.com/...` by its real name: the proxy records the name it was
asked for and connects the tunnel to the local stand-in instead. No name is ever resolved,
and the TLS inside the tunnel (SNI, certificate check) is the client's and the stand-in's.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tests.support.loopback import LoopbackServer


class ConnectProxy(LoopbackServer):
    """Accepts `CONNECT host:port` for the ports in `allowed_ports` (443 by default).

    `requested` lists every "host:port" asked for, in order, refused ones included.
    Anything other than CONNECT gets 405; another port gets 403.
    """

    def __init__(
        self,
        target_port: int,
        *,
        target_host: str = "127.0.0.1",
        allowed_ports: tuple[int, ...] = (443,),
        host: str = "127.0.0.1",
    ):
        super().__init__(host)
        self.target_host = target_host
        self.target_port = target_port
        self.allowed_ports = allowed_ports
        self.requested: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The value for HTTPS_PROXY."""
        return f"http://{self.authority}"

    @property
    def hosts(self) -> list[str]:
        """The host names asked for, without ports."""
        with self._lock:
            return [entry.rpartition(":")[0].strip("[]") for entry in self.requested]

    def start(self) -> str:
        self.start_listening()
        return self.url

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        method, _, rest = head.decode("latin-1").partition(" ")
        authority = rest.partition(" ")[0]
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        with self._lock:
            self.requested.append(authority)
        port = authority.rpartition(":")[2]
        if not port.isdigit() or int(port) not in self.allowed_ports:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            upstream_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy until `source` ends, then end `sink`'s sending side so the other side sees EOF."""
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()
