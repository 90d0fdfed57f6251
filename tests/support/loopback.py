"""A TCP (or TLS) server on a loopback address, with its own event loop in a thread.

Both the JumpCloud stand-in and the CONNECT proxy build on it. Running its own loop lets
synchronous tests, async tests (whose loop is another one) and subprocesses reach it alike,
and every connection is a task of that loop, so slow answers never hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from types import TracebackType
from typing import Self


class LoopbackServer:
    """Calls `handle(reader, writer)` for each connection; `stop()` ends them all.

    A handler that raises is a bug in the stand-in itself: the exception is kept in
    `errors` (a test can assert it stays empty) instead of disappearing into a log.
    """

    def __init__(self, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None):
        self.host = host
        self.port = 0
        self.ssl_context = ssl_context
        self.errors: list[BaseException] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Event | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    @property
    def authority(self) -> str:
        """host:port as it goes in a URL (an IPv6 address in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def start_listening(self) -> None:
        """Listen on a free port; raises OSError when the address cannot be bound."""
        loop = asyncio.new_event_loop()
        # Handshakes that a test aborts on purpose (wrong CA, timeouts) are not failures.
        loop.set_exception_handler(lambda _loop, _context: None)
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(10)
        except BaseException:
            self._close_loop()
            raise

    def stop(self) -> None:
        """Close the listener and every open connection, then end the thread."""
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._close_loop()

    async def wait_until_stopped(self) -> None:
        """For answers that stall on purpose: they end when the server stops."""
        assert self._stopping is not None
        await self._stopping.wait()

    def __enter__(self) -> Self:
        """Starts listening, unless a `start()` already has."""
        if self._loop is None:
            self.start_listening()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def _open(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._connection, self.host, 0, ssl=self.ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass  # the client went away: normal for tests of timeouts and limits
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.errors.append(error)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _shutdown(self) -> None:
        assert self._stopping is not None and self._server is not None
        self._stopping.set()
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _close_loop(self) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None
