"""The TXT look-up behind `domain_verified`, against a real DNS server on loopback, through
dnspython's resolver as it runs for real: given a server (`--nameserver`) or reading a
resolv.conf that names the loopback server (the system's path, same code)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.constants import DOMAIN
from tests.support.dns_server import DNSServer, Fault
from wizard.core.prerequisites.dns_txt import (
    BACKSTOP,
    KEPT_RECORDS,
    DomainVerifiedCheck,
    Nameserver,
    Outcome,
    SystemResolver,
    TxtLookup,
    domain_verification,
    domain_verified_check,
)
from wizard.core.shown import SHOWN_LIMIT

APPLE = "apple-domain-verification=Ab12Cd34Ef56Gh78"
SPF = "v=spf1 include:_spf.google.com ~all"
WHERE = "Apple Business Manager > Preferences > Managed Apple Accounts > Domains"


async def look_up(
    server: DNSServer, domain: str = DOMAIN, timeout: float = 3.0
) -> tuple[TxtLookup, DomainVerifiedCheck]:
    lookup = await domain_verification(
        domain, nameserver=Nameserver(server.host, server.port), timeout=timeout
    )
    return lookup, domain_verified_check(lookup)


# -- found ------------------------------------------------------------------------------


async def test_one_string_passes_and_shows_the_record(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, APPLE)
    lookup, check = await look_up(dns_server)
    assert lookup.outcome is Outcome.FOUND and lookup.apple_records == (APPLE,)
    assert check.status == "pass" and check.record == APPLE
    assert check.summary == (
        f"{DOMAIN} has Apple's domain verification TXT record {APPLE} "
        f"(asked 127.0.0.1:{dns_server.port})."
    )
    # The exact name the device asks, once, and nothing else (not www., no search list).
    assert [(query.name, query.rdtype) for query in dns_server.queries] == [(f"{DOMAIN}.", "TXT")]


async def test_a_record_split_into_strings_is_joined_without_spaces(dns_server: DNSServer) -> None:
    token = "Q" * 300  # the record is 326 bytes: two strings, as a zone publishes it
    dns_server.long_txt(DOMAIN, f"apple-domain-verification={token}")
    dns_server.txt("split.test", "apple-domain-", "verification=", "Ab12")
    _, check = await look_up(dns_server)
    assert check.status == "pass"
    assert check.record == f"apple-domain-verification={token}"[:SHOWN_LIMIT] + "…"
    _, split = await look_up(dns_server, "split.test")
    assert split.record == "apple-domain-verification=Ab12"


async def test_found_among_spf_and_other_verifications(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, SPF)
    dns_server.txt(DOMAIN, "google-site-verification=abcdefghijklmnop")
    dns_server.txt(DOMAIN, "MS=ms12345678")
    dns_server.txt(DOMAIN, APPLE)
    dns_server.address(DOMAIN, "192.0.2.10")
    lookup, check = await look_up(dns_server)
    assert (lookup.outcome, lookup.other_records) == (Outcome.FOUND, 3)
    assert check.status == "pass" and check.record == APPLE


async def test_several_apple_records_pass_and_are_counted(dns_server: DNSServer) -> None:
    # Two Apple Business Manager organizations, or a verification started twice.
    second = "apple-domain-verification=Zz99Yy88Xx77Ww66"
    dns_server.txt(DOMAIN, second)
    dns_server.txt(DOMAIN, APPLE)
    lookup, check = await look_up(dns_server)
    assert lookup.apple_records == (APPLE, second) and lookup.apple_count == 2
    assert check.status == "pass" and f"{APPLE} and 1 more" in check.summary


async def test_a_zone_full_of_apple_records_is_counted_but_kept_short(
    dns_server: DNSServer,
) -> None:
    for number in range(300):
        dns_server.txt(DOMAIN, f"apple-domain-verification=Token{number:04}")
    lookup, check = await look_up(dns_server)
    assert lookup.apple_count == 300 and len(lookup.apple_records) == KEPT_RECORDS
    assert "apple-domain-verification=Token0000 and 299 more" in check.summary


async def test_a_truncated_udp_answer_is_asked_again_over_tcp(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, APPLE)
    dns_server.fault(DOMAIN, Fault.TRUNCATE)
    _, check = await look_up(dns_server)
    assert check.status == "pass"
    assert dns_server.count(DOMAIN, "TXT", "udp") == 1
    assert dns_server.count(DOMAIN, "TXT", "tcp") == 1


async def test_many_records_too_big_for_udp_arrive_over_tcp(dns_server: DNSServer) -> None:
    for number in range(20):
        dns_server.txt(DOMAIN, f"other-verification-{number}=" + "k" * 40)
    dns_server.txt(DOMAIN, APPLE)
    lookup, check = await look_up(dns_server)
    assert check.status == "pass" and lookup.other_records == 20
    assert dns_server.count(transport="tcp") == 1


# -- not found ----------------------------------------------------------------------------


def assert_manual_not_found(check: DomainVerifiedCheck, detail: str) -> None:
    assert check.status == "manual" and check.record is None
    assert check.summary.startswith(f"No apple-domain-verification TXT record at {DOMAIN}: ")
    assert detail in check.summary
    assert "Google Workspace, Microsoft Entra ID" in check.summary
    assert "the record may have been removed" in check.summary
    assert f"Check that {WHERE} shows {DOMAIN} as verified." in check.summary


async def test_other_txt_records_only(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, SPF)
    dns_server.txt(DOMAIN, "google-site-verification=abcdefghijklmnop")
    lookup, check = await look_up(dns_server)
    assert (lookup.outcome, lookup.other_records) == (Outcome.NOT_FOUND, 2)
    assert_manual_not_found(check, "none of its 2 TXT records is Apple's")
    dns_server.txt("one.test", SPF)
    _, one = await look_up(dns_server, "one.test")
    assert "its TXT record is not Apple's" in one.summary


async def test_no_such_name(dns_server: DNSServer) -> None:
    lookup, check = await look_up(dns_server)
    assert lookup.outcome is Outcome.NOT_FOUND
    assert_manual_not_found(check, "the name does not exist (NXDOMAIN)")


async def test_a_name_without_txt_records(dns_server: DNSServer) -> None:
    dns_server.address(DOMAIN, "192.0.2.10", "2001:db8::10")
    lookup, check = await look_up(dns_server)
    assert lookup.outcome is Outcome.NOT_FOUND
    assert_manual_not_found(check, "it has no TXT record")


@pytest.mark.parametrize(
    "record",
    [
        "Apple-Domain-Verification=Ab12Cd34Ef56Gh78",  # Apple's prefix is lower case
        '"apple-domain-verification=Ab12Cd34Ef56Gh78"',  # a panel kept the zone's quotes
        " apple-domain-verification=Ab12Cd34Ef56Gh78",
        "apple-domain-verification=",  # no value
        "apple-domain-verification=Ab12 Cd34",  # a value Apple never supplies
        "apple-domain-verification=Ab12\x1b[0m",
    ],
)
async def test_a_near_miss_is_no_pass_and_is_pointed_out(
    dns_server: DNSServer, record: str
) -> None:
    dns_server.txt(DOMAIN, record)
    lookup, check = await look_up(dns_server)
    assert lookup.outcome is Outcome.NOT_FOUND
    assert_manual_not_found(check, "its TXT record is not Apple's")
    assert f"The record {record!r} looks like it but is not as Apple supplies it" in (check.summary)


# -- the look-up fails: manual, saying why, never blaming the domain -----------------------


def assert_manual_failed(check: DomainVerifiedCheck, detail: str) -> None:
    assert check.status == "manual" and check.record is None
    assert check.summary.startswith(f"The TXT look-up for {DOMAIN} could not be made: ")
    assert detail in check.summary
    assert f"Check that {WHERE} shows {DOMAIN} as verified." in check.summary
    assert "No apple-domain-verification" not in check.summary


@pytest.mark.parametrize("fault", [Fault.SERVFAIL, Fault.REFUSED])
async def test_servfail_and_refused(dns_server: DNSServer, fault: Fault) -> None:
    dns_server.txt(DOMAIN, APPLE)
    dns_server.fault(DOMAIN, fault, "TXT")
    lookup, check = await look_up(dns_server)
    assert lookup.outcome is Outcome.FAILED
    assert_manual_failed(check, f"127.0.0.1:{dns_server.port} answered {fault.upper()}")


async def test_no_answer_ends_within_the_timeout(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, APPLE)
    dns_server.fault(DOMAIN, Fault.DROP)
    started = time.monotonic()
    lookup, check = await look_up(dns_server, timeout=0.6)
    elapsed = time.monotonic() - started
    assert lookup.outcome is Outcome.FAILED
    assert_manual_failed(check, f"no answer from 127.0.0.1:{dns_server.port} within 0.6 s")
    # Asked again within the time (UDP is lost at times), and given up at the deadline.
    assert dns_server.count(DOMAIN) >= 1
    assert 0.55 <= elapsed < 0.6 + BACKSTOP


async def test_a_slow_answer_within_the_timeout_is_waited_for(dns_server: DNSServer) -> None:
    dns_server.txt(DOMAIN, APPLE)
    dns_server.delay(DOMAIN, 0.4)
    _, check = await look_up(dns_server, timeout=3)
    assert check.status == "pass"


async def test_nobody_listening(dns_server: DNSServer) -> None:
    port = dns_server.port
    dns_server.stop()
    lookup = await domain_verification(
        DOMAIN, nameserver=Nameserver("127.0.0.1", port), timeout=0.5
    )
    assert lookup.outcome is Outcome.FAILED
    assert_manual_failed(domain_verified_check(lookup), "no answer from")


# -- hostile content is data --------------------------------------------------------------


async def test_hostile_records_are_bounded_and_printable(dns_server: DNSServer) -> None:
    hostile = (
        "apple-domain-verification=X\x1b]8;;https://evil.test\x07[red]\u202e<b>" + "z" * 60_000
    )
    dns_server.long_txt(DOMAIN, hostile)
    dns_server.txt(DOMAIN, b"\xff\xfe\x00 binary \x9b31m")
    dns_server.long_txt(DOMAIN, "Apple-domain-verification=\x1b[2J" + "w" * 300)
    lookup, check = await look_up(dns_server)
    # Not a pass: a value holding control characters is not one Apple supplies.
    assert lookup.outcome is Outcome.NOT_FOUND and check.status == "manual"
    for text in (*lookup.near_misses, check.summary):
        assert text.isprintable()
        assert "\x1b" not in text and "\u202e" not in text
    assert len(check.summary) < 1200
    assert all(len(text) < 4 * SHOWN_LIMIT for text in lookup.near_misses)


async def test_a_huge_apple_record_is_cut_when_shown(dns_server: DNSServer) -> None:
    dns_server.long_txt(DOMAIN, "apple-domain-verification=" + "A" * 60_000)
    _, check = await look_up(dns_server)
    assert check.status == "pass" and check.record is not None
    assert check.record.endswith("…") and len(check.record) == SHOWN_LIMIT + 1
    assert len(check.summary) < 400


# -- the system's resolver: the same code, reading a resolv.conf ---------------------------


def resolv_conf(folder: Path, *lines: str) -> Path:
    path = folder / "resolv.conf"
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


async def test_the_system_resolver_reads_resolv_conf(dns_server: DNSServer, tmp_path: Path) -> None:
    dns_server.txt(DOMAIN, APPLE)
    dns_server.txt(f"{DOMAIN}.corp.test", "apple-domain-verification=WrongName")
    path = resolv_conf(
        tmp_path,
        "# written by a test",
        "search corp.test",
        "options ndots:5",
        "nameserver 127.0.0.1",
    )
    lookup = await domain_verification(
        DOMAIN, nameserver=None, timeout=3, system=SystemResolver(path, dns_server.port)
    )
    check = domain_verified_check(lookup)
    assert check.status == "pass" and check.record == APPLE
    assert f"(asked the system's resolver at 127.0.0.1:{dns_server.port})" in check.summary
    # The exact name, never one from the search list.
    assert {query.name for query in dns_server.queries} == {f"{DOMAIN}."}


async def test_the_system_resolver_over_ipv6(dns_server: DNSServer, tmp_path: Path) -> None:
    if not dns_server.ipv6:
        pytest.skip("no IPv6 loopback here")
    dns_server.txt(DOMAIN, APPLE)
    path = resolv_conf(tmp_path, "nameserver ::1")
    lookup = await domain_verification(
        DOMAIN, nameserver=None, timeout=3, system=SystemResolver(path, dns_server.port)
    )
    assert lookup.outcome is Outcome.FOUND
    assert {query.address for query in dns_server.queries} == {"::1"}


async def test_a_silent_first_server_leaves_time_for_the_next(
    dns_server: DNSServer, tmp_path: Path
) -> None:
    dns_server.txt(DOMAIN, APPLE)
    # 127.0.0.2 is loopback too, but nothing listens on it: each try there waits one second
    # (resolv.conf's own setting), then the second server answers, well within the timeout.
    path = resolv_conf(
        tmp_path, "options timeout:1", "nameserver 127.0.0.2", "nameserver 127.0.0.1"
    )
    lookup = await domain_verification(
        DOMAIN, nameserver=None, timeout=5, system=SystemResolver(path, dns_server.port)
    )
    assert lookup.outcome is Outcome.FOUND


async def test_the_system_resolver_failing_names_each_server(
    dns_server: DNSServer, tmp_path: Path
) -> None:
    dns_server.fault(DOMAIN, Fault.SERVFAIL)
    path = resolv_conf(
        tmp_path, "options timeout:1", "nameserver 127.0.0.2", "nameserver 127.0.0.1"
    )
    lookup = await domain_verification(
        DOMAIN, nameserver=None, timeout=1.5, system=SystemResolver(path, dns_server.port)
    )
    assert lookup.outcome is Outcome.FAILED
    port = dns_server.port
    assert lookup.detail == (
        f"no answer from the system's resolver at 127.0.0.2:{port}, 127.0.0.1:{port} within "
        f"1.5 s; 127.0.0.1:{port} answered SERVFAIL"
    )


@pytest.mark.parametrize(
    ("lines", "detail"),
    [
        (None, "no DNS server is configured"),
        (("search corp.test",), "no DNS server is configured"),
        (("nameserver ns1.corp.test",), "cannot be read as resolver settings"),
    ],
)
async def test_no_usable_resolver_configuration(
    tmp_path: Path, lines: tuple[str, ...] | None, detail: str
) -> None:
    path = tmp_path / "resolv.conf" if lines is None else resolv_conf(tmp_path, *lines)
    lookup = await domain_verification(
        DOMAIN, nameserver=None, timeout=1, system=SystemResolver(path)
    )
    assert lookup.outcome is Outcome.FAILED
    assert_manual_failed(domain_verified_check(lookup), detail)
    assert str(path) in lookup.detail
