"""Any URL the generators accept, loaded unchanged into real nginx, Apache and Caddy: the
configuration starts, and the redirect answers with exactly the intended Location, with
and without the device's query. One server start serves a batch of URLs, one virtual host
each, so the property test costs a handful of starts."""

from __future__ import annotations

import http.client
import socket
import ssl
from datetime import date
from pathlib import Path

import pytest
import trustme
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.accepted_urls import accepted_urls
from tests.support.constants import DOMAIN, WELL_KNOWN
from tests.support.web_servers import SNIPPET_FILE, running_hosts, site_folder
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import generate
from wizard.core.artifacts.prepare import prepare_setup

# What a device appends, with characters a server might be tempted to re-encode.
DEVICE_QUERY = "user-identifier=ada%40example.test&model-family=iPhone&x='(a;b)'~%25"
# Tricky but valid: Apache back-references ($1, %1 spelled %31), `;` parameters, quotes,
# sub-delimiters, encoded quotes and braces, user information, a port, a query.
TRICKY = [
    "https://mdm.example.test/enroll;v=1/%7Eadmin/(a)*!,'+~?org=5f1b&x=%25%26&y=a+b;c=d",
    "https://mdm.example.test/$1/%31%32/$0?q=$1&r=%41",
    "https://enrol:k;ey@mdm.example.test:8443/a%22b%7Bc%7D%0A/'quoted'",
    "https://MDM.Example.Test/=@:/?==&&a=b",
    "https://mdm.example.test/%E2%80%AE%00%20",
    "https://mdm.example.test/a?b?c/d",
    "https://mdm.example.test/x",
    "https://mdm.example.test/(x)'$",
]
# NGINX has no escape for `$` (tested apart: refused with one line).
NGINX_TRICKY = [url.replace("$", "%24") for url in TRICKY]
BATCH = st.lists(accepted_urls(), min_size=6, max_size=6, unique=True)
NGINX_BATCH = st.lists(accepted_urls(without="$"), min_size=6, max_size=6, unique=True)
PROPERTY = settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def location(port: int, host: str, target: str, ca_bundle: Path) -> str | None:
    context = ssl.create_default_context(cafile=str(ca_bundle))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    connection.sock = context.wrap_socket(raw, server_hostname=host)
    try:
        connection.request("GET", target, headers={"Host": host})
        response = connection.getresponse()
        assert response.status == 301, (response.status, response.read()[:300])
        return response.getheader("Location")
    finally:
        connection.close()


def check_batch(server: str, urls: list[str], cert: trustme.LeafCert, ca_bundle: Path) -> None:
    with site_folder(cert, DOMAIN) as site:
        hosts: dict[str, Path | None] = {}
        for number, url in enumerate(urls):
            setup, _ = prepare_setup("redirect", target=url, today=date(2026, 1, 2))
            folder = site.folder / f"artifacts-{number}"
            write_plan(generate(server, setup), folder)
            hosts[f"u{number}.{DOMAIN}"] = folder / SNIPPET_FILE[server]
        with running_hosts(server, site, hosts) as port:
            for host, url in zip(hosts, urls, strict=True):
                joined = f"{url}{'&' if '?' in url else '?'}{DEVICE_QUERY}"
                assert location(port, host, WELL_KNOWN, ca_bundle) == url
                assert location(port, host, f"{WELL_KNOWN}?{DEVICE_QUERY}", ca_bundle) == joined


@pytest.mark.parametrize("server", ["apache", "caddy"])
@PROPERTY
@given(urls=BATCH)
@example(urls=TRICKY)
def test_accepted_urls_redirect_exactly_in_apache_and_caddy(
    server: str, urls: list[str], good_cert: trustme.LeafCert, ca_bundle: Path
) -> None:
    check_batch(server, urls, good_cert, ca_bundle)


@PROPERTY
@given(urls=NGINX_BATCH)
@example(urls=NGINX_TRICKY)
def test_accepted_urls_redirect_exactly_in_nginx(
    urls: list[str], good_cert: trustme.LeafCert, ca_bundle: Path
) -> None:
    check_batch("nginx", urls, good_cert, ca_bundle)
