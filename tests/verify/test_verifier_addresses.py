"""Every address a domain resolves to: real HTTPS servers on 127.0.0.1, 127.0.0.2 and ::1,
on one port, pinned with --resolve through a --connect-to target (curl's combination)."""

from __future__ import annotations

import errno
import json
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.certificates import tls12_context
from tests.support.constants import DOMAIN, GOOD, TEST_NAMES, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.verifying import check, options_with, server_context, verify
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.resolve import Resolve, parse_resolve

ADDRESSES = ("127.0.0.1", "127.0.0.2", "::1")
NODE = "lb.test"  # the --connect-to target, looked up through --resolve
OTHER = json.dumps(
    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://old-mdm.example.test/enroll"}]}
)


def _loopback_usable(address: str) -> str | None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family) as probe:
            probe.bind((address, 0))
    except OSError as error:
        return f"{address} is not usable on this machine ({error})"
    return None


@pytest.fixture(autouse=True)
def loopback_addresses() -> None:
    for address in ADDRESSES:
        problem = _loopback_usable(address)
        if problem:
            pytest.skip(f"SKIPPED LOUDLY: multi-address tests need {problem}")


Nodes = Callable[..., dict[str, HTTPSServer]]


@pytest.fixture
def nodes(good_cert: trustme.LeafCert) -> Iterator[Nodes]:
    """Start a server on each given address, all on one port; contexts default to the
    trusted test certificate."""
    started: list[HTTPSServer] = []

    def start(
        *addresses: str, contexts: dict[str, ssl.SSLContext] | None = None
    ) -> dict[str, HTTPSServer]:
        for _attempt in range(10):
            servers: dict[str, HTTPSServer] = {}
            port = 0
            try:
                for address in addresses:
                    context = (contexts or {}).get(address) or server_context(good_cert)
                    server = HTTPSServer(context).start(address, port)
                    started.append(server)
                    servers[address] = server
                    port = server.port
                return servers
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                for server in servers.values():
                    server.stop()
        raise RuntimeError("no port free on every loopback address")

    yield start
    for server in started:
        server.stop()


def pinned(port: int, ca_bundle: Path, *addresses: str, **overrides: object) -> VerifyOptions:
    settings: dict[str, object] = {
        "connect_to": (ConnectTo(DOMAIN, 443, NODE, port),),
        "resolve": (Resolve(NODE, port, addresses),),
        "ca_bundle": str(ca_bundle),
        "timeout": 3.0,
    }
    return options_with(settings, **overrides)


def serve_everywhere(servers: dict[str, HTTPSServer], body: str = GOOD) -> int:
    for server in servers.values():
        server.route(WELL_KNOWN, json_document(body))
    return next(iter(servers.values())).port


def test_three_good_addresses_pass_and_each_got_the_devices_request(
    nodes: Nodes, ca_bundle: Path
) -> None:
    servers = nodes(*ADDRESSES)
    port = serve_everywhere(servers)
    report = verify(pinned(port, ca_bundle, *ADDRESSES))
    assert report.ok, report.to_json()
    assert [c.id for c in report.checks][:3] == ["dns", "addresses", "connect"]
    status, _, summary = check(report, "addresses")
    assert status == "pass" and "all 3 addresses passed" in summary
    dns = check(report, "dns")
    assert dns[0] == "skip" and f"--resolve {NODE}:{port}:127.0.0.1,127.0.0.2,[::1]" in dns[2]
    assert [a.to_json() for a in report.addresses] == [
        {"address": "127.0.0.1", "family": "IPv4", "ok": True, "failure": None},
        {"address": "127.0.0.2", "family": "IPv4", "ok": True, "failure": None},
        {"address": "::1", "family": "IPv6", "ok": True, "failure": None},
    ]
    for server in servers.values():
        [request] = server.requests
        assert request.host == DOMAIN  # Host (and SNI) stay the domain's


def test_ipv6_address_refusing_fails_naming_it(nodes: Nodes, ca_bundle: Path) -> None:
    servers = nodes("127.0.0.1", "127.0.0.2")  # nothing listens on ::1
    port = serve_everywhere(servers)
    report = verify(pinned(port, ca_bundle, "127.0.0.1", "::1", "127.0.0.2"))
    assert not report.ok and report.failure == "connect_failed"
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("fail", "connect_failed")
    assert summary.startswith("::1 (IPv6): ") and "refused the connection" in summary
    assert "127.0.0.1 (IPv4), 127.0.0.2 (IPv4) passed" in summary
    assert "phones on IPv6-only networks cannot enroll" in summary
    # The checks after `addresses` are the first address's run: it passed.
    assert check(report, "connect")[0] == "pass" and check(report, "config")[0] == "pass"
    assert [a.ok for a in report.addresses] == [True, False, True]
    assert report.addresses[1].failure == "connect_failed"


def test_node_with_another_certificate_fails_with_its_code(nodes: Nodes, ca_bundle: Path) -> None:
    stranger = trustme.CA().issue_cert(*TEST_NAMES)  # a CA the verifier does not trust
    servers = nodes(*ADDRESSES, contexts={"127.0.0.2": server_context(stranger)})
    port = serve_everywhere(servers)
    report = verify(pinned(port, ca_bundle, *ADDRESSES))
    assert report.failure == "tls_untrusted"
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("fail", "tls_untrusted")
    assert summary.startswith("127.0.0.2 (IPv4): ")
    assert "devices that reach a failing address cannot enroll" in summary


def test_node_with_a_different_document_fails(nodes: Nodes, ca_bundle: Path) -> None:
    servers = nodes(*ADDRESSES)
    port = serve_everywhere(servers)
    servers["::1"].route(WELL_KNOWN, json_document(OTHER))  # a stale node
    report = verify(pinned(port, ca_bundle, *ADDRESSES))
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("fail", "bad_config")
    assert summary.startswith("::1 (IPv6): a different document")
    assert report.document == json.loads(GOOD)  # the first address's answer


def test_node_answering_404_fails_and_first_address_still_reported(
    nodes: Nodes, ca_bundle: Path
) -> None:
    servers = nodes(*ADDRESSES)
    port = serve_everywhere(servers)
    servers["127.0.0.1"].route(WELL_KNOWN, respond(404, "gone"))
    report = verify(pinned(port, ca_bundle, *ADDRESSES))
    assert check(report, "addresses")[:2] == ("fail", "bad_status")
    assert check(report, "addresses")[2].startswith("127.0.0.1 (IPv4): 404")
    assert check(report, "status")[:2] == ("fail", "bad_status")  # first address's run


def test_address_without_route_is_a_warning_not_a_failure(nodes: Nodes, ca_bundle: Path) -> None:
    # ff02::1 (multicast) has no route for TCP on Linux: connect() gives ENETUNREACH, the
    # error a machine without IPv6 gets for any IPv6 address.
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.connect(("ff02::1", 443))
        except OSError as error:
            if error.errno != errno.ENETUNREACH:
                pytest.skip(f"SKIPPED LOUDLY: ff02::1 gives {error!r}, not ENETUNREACH here")
    servers = nodes("127.0.0.1")
    port = serve_everywhere(servers)
    report = verify(pinned(port, ca_bundle, "127.0.0.1", "ff02::1"))
    assert report.ok, report.to_json()
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("warn", "address_unchecked")
    assert "ff02::1 (IPv6) not checked: no route from this machine" in summary
    assert report.addresses[1].to_json() == {
        "address": "ff02::1",
        "family": "IPv6",
        "ok": None,
        "failure": None,
    }


def test_single_address_passes_addresses_and_the_rest_judge_it(
    nodes: Nodes, ca_bundle: Path
) -> None:
    servers = nodes("::1")
    port = serve_everywhere(servers, "<html>")
    report = verify(pinned(port, ca_bundle, "::1"))
    assert check(report, "addresses")[:2] == ("pass", None)
    assert "one address: ::1 (IPv6)" in check(report, "addresses")[2]
    assert report.failure == "bad_json"


def test_parse_resolve_accepts_curl_forms() -> None:
    rule = parse_resolve("Example.com:443:192.0.2.1,[2001:db8::5],2001:db8::6")
    assert rule == Resolve("example.com", 443, ("192.0.2.1", "2001:db8::5", "2001:db8::6"))
    assert str(rule) == "example.com:443:192.0.2.1,[2001:db8::5],[2001:db8::6]"
    assert parse_resolve(str(rule)) == rule


def test_at_most_eight_addresses_are_checked_the_rest_are_said_unchecked(
    nodes: Nodes, ca_bundle: Path
) -> None:
    many = tuple(f"127.0.0.{n}" for n in range(1, 10))
    servers = nodes(*many)
    port = serve_everywhere(servers)
    report = verify(pinned(port, ca_bundle, *many))
    assert report.ok, report.to_json()
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("warn", "address_unchecked")
    assert "127.0.0.9 (IPv4) not checked: only the first 8 addresses are" in summary
    assert [a.ok for a in report.addresses] == [True] * 8 + [None]
    assert [len(servers[a].requests) for a in many] == [1] * 8 + [0]


def test_ipv4_address_failing_while_ipv6_passes_names_ipv4_only_networks(
    nodes: Nodes, ca_bundle: Path
) -> None:
    servers = nodes("::1", "127.0.0.1")
    port = serve_everywhere(servers)
    servers["127.0.0.1"].route(WELL_KNOWN, json_document(GOOD, "text/html"))
    report = verify(pinned(port, ca_bundle, "::1", "127.0.0.1"))
    status, code, summary = check(report, "addresses")
    assert (status, code) == ("fail", "bad_content_type")
    assert summary.startswith("127.0.0.1 (IPv4): served as 'text/html'")
    assert summary.endswith("::1 (IPv6) passed: devices on IPv4-only networks cannot enroll")


def test_one_node_without_the_extended_master_secret_is_named(
    nodes: Nodes, ca_bundle: Path, good_cert: trustme.LeafCert
) -> None:
    """Every address's connection is checked: one node of a pool on an old TLS stack warns,
    naming it, though the first address is fine."""
    old = tls12_context(good_cert, ems=False)
    servers = nodes("127.0.0.1", "127.0.0.2", contexts={"127.0.0.2": old})
    port = serve_everywhere(servers)
    options = pinned(
        port,
        ca_bundle,
        "127.0.0.1",
        "127.0.0.2",
        connect_to=(
            ConnectTo(DOMAIN, 443, NODE, port),
            ConnectTo("mdm.example.test", 443, "127.0.0.1", port),  # GOOD's BaseURL
        ),
    )
    report = verify(options)
    assert report.ok, report.to_json()
    status, code, summary = check(report, "connect")
    assert (status, code) == ("warn", "tls_no_ems")
    assert f"{DOMAIN} at 127.0.0.2" in summary and "127.0.0.1" not in summary.split("(")[0]
    assert check(report, "addresses")[0] == "pass"
    assert report.os_verdicts[2].verdict == "at_risk"
    # The reported run's hops all negotiated it: the node without it is the domain's.
    assert [hop.ems for hop in report.hops] == [None]
    assert f"may refuse {DOMAIN}: TLS 1.2 without" in report.os_verdicts[2].summary
