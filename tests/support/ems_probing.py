"""What the tests of the extended-master-secret probe share, against real TLS servers and
against hand-made answers alike: a server on blocking sockets, and how the probe words a
handshake the server refused."""

from __future__ import annotations

import contextlib
import socket
import threading

REFUSED = "the server refused TLS 1.2 with the ATS suites: alert "


class ThreadServer:
    """A server on blocking sockets, one connection at a time in a thread of its own: asyncio
    drops the alert of a refused handshake, where a blocking socket sends it as servers do."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.create_server((host, 0), family=family)
        self._socket.settimeout(0.2)
        self.host, self.port = host, self._socket.getsockname()[1]
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
            with contextlib.suppress(OSError), connection:
                self.handle(connection)

    def handle(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self._socket.close()
