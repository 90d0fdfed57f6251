"""The loopback DNS server does what a real one does, asked by dnspython's own client.

These tests pin the server itself, so that tests of the TXT look-up built on it test the
look-up: answers of every shape, NXDOMAIN and NODATA, the faults, truncation to TCP, delays,
the query count, and that it stops.
"""

from __future__ import annotations

import asyncio
import socket
import time

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from tests.support.dns_server import DNSServer, Fault, split_txt

NAME = "example.test"
APPLE = "apple-domain-verification=Ab12Cd34Ef56Gh78"


def ask(
    server: DNSServer,
    name: str = NAME,
    rdtype: str = "TXT",
    *,
    tcp: bool = False,
    host: str | None = None,
    timeout: float = 2.0,
    payload: int | None = None,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype)
    if payload is not None:
        query.use_edns(0, payload=payload)
    where = host or server.host
    if tcp:
        return dns.query.tcp(query, where, timeout=timeout, port=server.port)
    return dns.query.udp(query, where, timeout=timeout, port=server.port)


def strings(response: dns.message.Message) -> list[tuple[bytes, ...]]:
    """Each TXT record of the answer as its character-strings, in order."""
    return sorted(tuple(record.strings) for rrset in response.answer for record in rrset)


def test_one_txt_record_over_udp_and_tcp_on_one_port(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    for tcp in (False, True):
        response = ask(dns_server, tcp=tcp)
        assert response.rcode() == dns.rcode.NOERROR
        assert response.flags & dns.flags.AA
        assert strings(response) == [(APPLE.encode(),)]
    assert dns_server.count(NAME, "TXT", "udp") == 1
    assert dns_server.count(NAME, "TXT", "tcp") == 1


def test_listens_on_ipv6_loopback_when_the_machine_has_it(dns_server: DNSServer) -> None:
    if not dns_server.ipv6:
        pytest.skip("no IPv6 loopback here")
    dns_server.txt(NAME, APPLE)
    for tcp in (False, True):
        assert strings(ask(dns_server, tcp=tcp, host="::1")) == [(APPLE.encode(),)]
    assert {query.address for query in dns_server.queries} == {"::1"}


def test_several_strings_several_records_and_addresses(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, "v=spf1 include:_spf.example.test", " -all")
    dns_server.txt(NAME, APPLE)
    dns_server.txt(NAME, b"\x00\xff binary")
    dns_server.address(NAME, "192.0.2.10", "2001:db8::10")
    assert strings(ask(dns_server)) == sorted(
        [(b"v=spf1 include:_spf.example.test", b" -all"), (APPLE.encode(),), (b"\x00\xff binary",)]
    )
    a = ask(dns_server, rdtype="A").answer[0]
    aaaa = ask(dns_server, rdtype="AAAA").answer[0]
    assert [record.address for record in a] == ["192.0.2.10"]
    assert [record.address for record in aaaa] == ["2001:db8::10"]


def test_long_text_is_split_into_255_byte_strings(dns_server: DNSServer) -> None:
    text = "apple-domain-verification=" + "x" * 574  # 600 bytes
    dns_server.long_txt(NAME, text)
    [record] = strings(ask(dns_server, tcp=True))
    assert [len(part) for part in record] == [255, 255, 90]
    assert b"".join(record).decode() == text
    assert split_txt("") == ()


def test_names_match_whatever_their_case(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    assert strings(ask(dns_server, "EXAMPLE.Test.")) == [(APPLE.encode(),)]
    assert dns_server.count("example.TEST") == 1


def test_nxdomain_and_nodata_carry_the_soa(dns_server: DNSServer) -> None:
    dns_server.address(NAME, "192.0.2.10")
    dns_server.exists("empty.example.test")
    missing = ask(dns_server, "missing.example.test")
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.answer == []
    for name in (NAME, "empty.example.test"):  # another type only; no record at all
        nodata = ask(dns_server, name)
        assert nodata.rcode() == dns.rcode.NOERROR and nodata.answer == []
        assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    assert missing.authority[0].rdtype == dns.rdatatype.SOA


def test_servfail_and_refused_per_type_or_for_every_type(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    dns_server.address(NAME, "192.0.2.10")
    dns_server.fault(NAME, Fault.SERVFAIL, "TXT")
    assert ask(dns_server).rcode() == dns.rcode.SERVFAIL
    assert ask(dns_server, rdtype="A").rcode() == dns.rcode.NOERROR
    dns_server.fault(NAME, Fault.REFUSED)
    assert ask(dns_server, rdtype="A").rcode() == dns.rcode.REFUSED
    assert ask(dns_server, tcp=True).rcode() == dns.rcode.SERVFAIL  # the type's own wins


def test_a_dropped_query_gets_no_answer_over_udp_or_tcp(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    dns_server.fault(NAME, Fault.DROP)
    for tcp in (False, True):
        with pytest.raises(dns.exception.Timeout):
            ask(dns_server, tcp=tcp, timeout=0.3)
    assert dns_server.count(NAME) == 2


def test_forced_truncation_sends_the_client_to_tcp(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    dns_server.fault(NAME, Fault.TRUNCATE)
    query = dns.message.make_query(NAME, "TXT")
    cut = dns.query.udp(query, dns_server.host, timeout=2, port=dns_server.port)
    assert cut.flags & dns.flags.TC and cut.answer == []
    response, used_tcp = dns.query.udp_with_fallback(
        query, dns_server.host, timeout=2, port=dns_server.port
    )
    assert used_tcp and strings(response) == [(APPLE.encode(),)]
    assert dns_server.count(transport="udp") == 2 and dns_server.count(transport="tcp") == 1


def test_an_answer_too_big_for_udp_is_truncated_as_a_real_server_does(
    dns_server: DNSServer,
) -> None:
    for number in range(4):
        dns_server.long_txt(NAME, f"record {number} " + "y" * 200)
    classic = ask(dns_server)  # no EDNS: 512 bytes at most
    assert classic.flags & dns.flags.TC and classic.answer == []
    roomy = ask(dns_server, payload=4096)
    assert not roomy.flags & dns.flags.TC and len(strings(roomy)) == 4
    assert len(strings(ask(dns_server, tcp=True))) == 4


def test_a_sixty_kilobyte_record_goes_over_tcp(dns_server: DNSServer) -> None:
    text = "\x1b[31m<b>" + "z" * 60_000
    dns_server.long_txt(NAME, text)
    response = dns.resolver.Resolver(configure=False)
    response.nameservers = [dns_server.host]
    response.port = dns_server.port
    answer = response.resolve(NAME, "TXT")
    assert b"".join(answer[0].strings).decode() == text
    assert dns_server.count(transport="tcp") == 1


async def test_a_slow_answer_holds_up_no_other(dns_server: DNSServer) -> None:
    dns_server.txt(NAME, APPLE)
    dns_server.txt("fast.example.test", "quick")
    dns_server.delay(NAME, 0.5)
    finished: list[str] = []

    async def timed(name: str) -> float:
        started = time.monotonic()
        await dns.asyncquery.udp(
            dns.message.make_query(name, "TXT"), dns_server.host, timeout=5, port=dns_server.port
        )
        finished.append(name)
        return time.monotonic() - started

    slow, _fast = await asyncio.gather(timed(NAME), timed("fast.example.test"))
    assert finished == ["fast.example.test", NAME]
    assert slow >= 0.45


def test_a_name_outside_the_origin_is_refused() -> None:
    with DNSServer(origin="test.") as server:
        server.txt(NAME, APPLE)
        assert ask(server).rcode() == dns.rcode.NOERROR
        assert ask(server, "example.com").rcode() == dns.rcode.REFUSED
        assert ask(server, "missing.test").authority[0].to_text().startswith("test. 300 IN SOA")
    assert server.errors == []


def test_it_stops_even_when_the_test_fails() -> None:
    with pytest.raises(RuntimeError), DNSServer() as server:
        port = server.port
        raise RuntimeError("a failing test")
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(dns.message.make_query(NAME, "TXT"), "127.0.0.1", timeout=0.3, port=port)
