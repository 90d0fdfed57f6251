"""The HTTP client the verifier uses: httpx, with `--connect-to` applied at TCP connect time.

httpx has no connect-to option, but httpcore lets a connection pool use a custom network
backend. The backend below swaps the address only when opening the socket, so TLS SNI, the
certificate check and the Host header keep the URL's host, exactly like curl's --connect-to.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from wizard.core.connect_to import ConnectTo, route

USER_AGENT = "adue-wizard"


class _ConnectToBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, rules: tuple[ConnectTo, ...]) -> None:
        self._rules = rules
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        target_host, target_port = route(self._rules, host, port)
        return await self._inner.connect_tcp(
            target_host, target_port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - never used: no unix sockets here
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def make_client(
    ssl_context: ssl.SSLContext,
    rules: tuple[ConnectTo, ...],
    *,
    timeout: float,
    max_connections: int,
) -> httpx.AsyncClient:
    """An AsyncClient that never follows redirects itself and ignores proxy variables
    (a device connects directly; the verifier must see what it sees)."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
    # Replace the pool httpx built with one that routes through the connect-to backend;
    # httpx's transport only forwards requests to `_pool`, so the rest stays httpx's own.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
        network_backend=_ConnectToBackend(rules),
    )
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
    )
