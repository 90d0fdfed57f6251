"""Reaching JumpCloud: each region by its real name through a CONNECT proxy ($HTTPS_PROXY),
the stand-in's CA added with $SSL_CERT_FILE, as for an admin behind a TLS-inspecting proxy;
--api-url straight to loopback; and one clear line for each way it can fail."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.connect_proxy import ConnectProxy
from tests.support.jumpcloud_api import JumpCloudState, StartStandIn
from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind
from wizard.core.jumpcloud.regions import REGIONS, api_base
from wizard.core.jumpcloud.secret import ApiKey
from wizard.core.jumpcloud.transport import trust_store

KEY = "reach-key-0123456789abcdef"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def users_of(base_url: str, **options: Any) -> int:
    async with JumpCloudClient(base_url, ApiKey(KEY), **options) as jumpcloud:
        await jumpcloud.connect()
        return len(await jumpcloud.users())


@pytest.mark.parametrize("region", ["us", "eu", "in"])
async def test_each_region_by_name_through_the_proxy(
    region: str,
    start_standin: StartStandIn,
    trusted: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    standin = start_standin(JumpCloudState.single(120, key=KEY))
    with ConnectProxy(standin.port) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        assert await users_of(api_base(region, None, {})) == 120
    host = REGIONS[region].split("/")[2]
    assert set(proxy.hosts) == {host}
    assert {request.host for request in standin.requests} == {host}


async def test_without_the_ca_file_the_certificate_is_not_trusted(
    start_standin: StartStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin = start_standin(JumpCloudState.single(1, key=KEY))
    with ConnectProxy(standin.port) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(ApiError) as raised:
            await users_of(REGIONS["eu"])
    error = raised.value
    assert error.kind is ErrorKind.TLS_UNTRUSTED
    assert str(error) == (
        "GET /api/organizations: the certificate of console.eu.jumpcloud.com is not trusted "
        "(unable to get local issuer certificate); behind a TLS-inspecting proxy, add its CA "
        "certificate with $SSL_CERT_FILE=<PEM file>"
    )
    assert standin.requests == []


async def test_api_url_straight_to_loopback(start_standin: StartStandIn, trusted: Path) -> None:
    standin = start_standin(JumpCloudState.single(3, key=KEY))
    assert await users_of(api_base("eu", standin.base_url + "/", {})) == 3
    assert {request.host for request in standin.requests} == {standin.authority}


async def test_the_ca_file_adds_to_the_public_roots_where_httpx_would_replace_them(
    trusted: Path,
) -> None:
    public = len(trust_store({}).get_ca_certs())
    assert public > 50
    assert len(trust_store({"SSL_CERT_FILE": str(trusted)}).get_ca_certs()) == public + 1
    # What httpx does with the variable when it builds the context itself (why we do not).
    assert len(httpx.create_ssl_context().get_ca_certs()) == 1


async def test_an_unusable_ca_file_is_one_line(tmp_path: Path) -> None:
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    for path in (tmp_path / "missing.pem", not_pem):
        with pytest.raises(InvalidInput) as raised:
            await users_of("https://127.0.0.1:1/api", environ={"SSL_CERT_FILE": str(path)})
        assert str(raised.value).startswith(f"$SSL_CERT_FILE ({str(path)!r}) cannot be read")


async def test_a_proxy_refusing_the_tunnel(
    start_standin: StartStandIn, trusted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin = start_standin(JumpCloudState.single(1, key=KEY))
    with ConnectProxy(standin.port) as proxy:  # tunnels to port 443 only
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(ApiError) as raised:
            await users_of("https://console.jumpcloud.com:8443/api")
    assert raised.value.kind is ErrorKind.PROXY
    assert str(raised.value) == (
        "GET /api/organizations: the proxy ($HTTPS_PROXY) refused to connect to "
        "console.jumpcloud.com: 403 Forbidden"
    )


async def test_a_proxy_that_does_not_answer(trusted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:pr0xy-pa55@127.0.0.1:{closed_port()}")
    with pytest.raises(ApiError) as raised:
        await users_of(REGIONS["us"])
    message = str(raised.value)
    assert raised.value.kind is ErrorKind.CONNECTION
    assert message.startswith(
        "GET /api/organizations: cannot connect to console.jumpcloud.com through the proxy in "
        "$HTTPS_PROXY: "
    )
    assert "pr0xy-pa55" not in message and "\n" not in message


async def test_a_proxy_setting_httpx_cannot_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "ftp://user:pr0xy-pa55@proxy.example:21")
    with pytest.raises(InvalidInput) as raised:
        await users_of(REGIONS["us"])
    assert str(raised.value) == (
        "the proxy in $ALL_PROXY cannot be used: give an http:// or https:// proxy URL"
    )


async def test_nothing_listening(trusted: Path) -> None:
    with pytest.raises(ApiError) as raised:
        await users_of(f"https://127.0.0.1:{closed_port()}/api")
    assert raised.value.kind is ErrorKind.CONNECTION
    assert str(raised.value).startswith("GET /api/organizations: cannot connect to 127.0.0.1: ")
