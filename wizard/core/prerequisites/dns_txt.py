"""Apple's domain verification, as far as DNS shows it: the TXT record
`apple-domain-verification=<random>` that Apple Business Manager asks to publish at the
domain itself (Apple Business Manager User Guide, "Verify a domain").

A missing record proves nothing: Apple also verifies domains by syncing those already
verified at the identity provider (Google Workspace, Microsoft Entra ID), and does not say
whether the record may be removed afterwards. So the check passes when the record is there,
and otherwise asks the admin to look in Apple Business Manager, never failing.

The question goes to the system's resolver (its resolv.conf) or to one server given as
`--nameserver ADDR[:PORT]`, as `dig @server` does, to check an authoritative server before a
change has propagated. dnspython does the DNS work (UDP, TCP after a truncated answer); it
costs about 30 ms to import, so it is imported only when a look-up runs.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from wizard.core.domains import InvalidInput
from wizard.core.shown import SHOWN_LIMIT, argument, one_line, printable

if TYPE_CHECKING:
    import dns.asyncresolver
    import dns.resolver

DEFAULT_PORT = 53
RESOLV_CONF = Path("/etc/resolv.conf")
# Byte for byte, in the case Apple writes it. TXT data is compared as bytes: DNS ignores case
# in names only (RFC 4343), and although RFC 1464 reads `attribute=` case-insensitively,
# Apple does not say it follows RFC 1464 nor that its own check would accept
# `Apple-Domain-Verification=`. Passing on such a record could be a false pass; it is
# reported instead as a near miss for the admin to compare with what Apple supplied.
APPLE_PREFIX = b"apple-domain-verification="
# At most this many of Apple's records and near misses are kept, each cut to SHOWN_LIMIT
# characters: a hostile zone may hold thousands of records or 64 KB of text.
KEPT_RECORDS = 10
# The resolver's own deadline ends the look-up; this is only a backstop past it, should one
# of its retries overrun (its backoff between rounds reaches 2 s).
BACKSTOP = 1.0


@dataclass(frozen=True)
class Nameserver:
    """One DNS server to ask instead of the system's resolver."""

    address: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        """As it would be typed: 192.0.2.53, 192.0.2.53:5353, 2001:db8::53, [2001:db8::53]:5353."""
        if self.port == DEFAULT_PORT:
            return self.address
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class SystemResolver:
    """Where the system's resolver settings are read. resolv.conf cannot name a port, so the
    port its servers are asked on is part of this too (53 on every real system)."""

    path: Path = RESOLV_CONF
    port: int = DEFAULT_PORT


SYSTEM_RESOLVER = SystemResolver()


class Outcome(StrEnum):
    FOUND = "found"
    # Records exist but none is Apple's, or the name has no TXT record, or no such name.
    NOT_FOUND = "not_found"
    # No answer could be had: timeout, SERVFAIL, REFUSED, no server reachable or configured.
    FAILED = "failed"


@dataclass(frozen=True)
class TxtLookup:
    """What DNS said about the domain's TXT records. Every text is printable and bounded."""

    domain: str
    # Who was asked: "the system's resolver at 10.0.0.2" or "192.0.2.53:5353".
    asked: str
    outcome: Outcome
    # Apple's records (FOUND), each as text: `apple-domain-verification=...`; the first
    # KEPT_RECORDS of `apple_count`.
    apple_records: tuple[str, ...] = ()
    apple_count: int = 0
    # TXT records that are not Apple's (SPF, other verifications...).
    other_records: int = 0
    # Records that look like Apple's but are not exactly it (another case, spaces or quotes
    # around it, no value), quoted as `shown.argument` quotes (every invisible character
    # escaped): counted among `other_records` too.
    near_misses: tuple[str, ...] = ()
    # One line: why nothing was found (NXDOMAIN, no TXT record) or why the look-up failed.
    detail: str = ""


@dataclass(frozen=True)
class DomainVerifiedCheck:
    """The `domain_verified` check of one domain."""

    status: Literal["pass", "manual"]
    summary: str
    # Apple's record as shown (printable, bounded) when one was found.
    record: str | None


def parse_nameserver(text: str, *, label: str = "--nameserver") -> Nameserver:
    """Read `ADDR[:PORT]` as `dig @server` takes it: 192.0.2.53, 192.0.2.53:5353,
    2001:db8::53, [2001:db8::53], [2001:db8::53]:5353. A bare IPv6 address is all address
    (`::1:53` is an address, not ::1 port 53): a port after IPv6 needs the brackets.
    Raises InvalidInput with one line naming `label` otherwise."""
    raw = text.strip()
    shown = argument(text, 80)
    example = "e.g. 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:5353"
    if not raw:
        raise InvalidInput(f"{label} needs a DNS server's IP address, {example}")
    host, port_text = raw, ""
    if raw.startswith("["):
        host, bracket, rest = raw[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise InvalidInput(f"{label} {shown} is not ADDR[:PORT]; {example}")
        port_text = rest[1:] if rest else ""
        if rest == ":":
            raise InvalidInput(f"{label} {shown} has no port after the colon; {example}")
        address = _ip_address(host)
        if isinstance(address, ipaddress.IPv4Address):
            raise InvalidInput(f"{label} {shown}: brackets are for an IPv6 address; {example}")
    elif raw.count(":") == 1:
        host, _, port_text = raw.partition(":")
        if not port_text:
            raise InvalidInput(f"{label} {shown} has no port after the colon; {example}")
        address = _ip_address(host)
    else:
        address = _ip_address(raw)
    if address is None:
        raise InvalidInput(
            f"{label} {shown} is not an IP address; give the server's address (as for "
            f"dig @server), not a host name: {example}"
        )
    return Nameserver(str(address), _port(port_text, label, shown) if port_text else DEFAULT_PORT)


def _ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _port(text: str, label: str, shown: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise InvalidInput(f"{label} {shown}: the port must be a number from 1 to 65535")
    return int(text)


async def domain_verification(
    domain: str,
    *,
    nameserver: Nameserver | None,
    timeout: float,
    system: SystemResolver = SYSTEM_RESOLVER,
) -> TxtLookup:
    """Ask for the TXT records of `domain` itself (a normalised host name; not www., no
    search list), from `nameserver` or else the system's resolver, within `timeout` seconds.
    Never raises for anything DNS or the network does: that is a FAILED outcome."""
    import asyncio

    import dns.asyncresolver
    import dns.exception
    import dns.name
    import dns.resolver

    try:
        resolver, asked = _resolver(nameserver, system, timeout)
    except dns.resolver.NoResolverConfiguration:
        detail = f"no DNS server is configured ({system.path} is missing, unreadable or names none)"
        return TxtLookup(domain, "the system's resolver", Outcome.FAILED, detail=detail)
    except (dns.exception.DNSException, ValueError) as error:
        detail = f"{system.path} cannot be read as resolver settings ({_bounded(str(error))})"
        return TxtLookup(domain, "the system's resolver", Outcome.FAILED, detail=detail)
    try:
        async with asyncio.timeout(timeout + BACKSTOP):
            answer = await resolver.resolve(
                dns.name.from_text(domain), "TXT", search=False, raise_on_no_answer=False
            )
    except dns.resolver.NXDOMAIN:
        detail = "the name does not exist (NXDOMAIN)"
        return TxtLookup(domain, asked, Outcome.NOT_FOUND, detail=detail)
    except dns.resolver.LifetimeTimeout as error:
        servers = _servers_said(error.kwargs.get("errors", []), resolver, quiet_timeouts=True)
        said = f"; {servers}" if servers else ""
        detail = f"no answer from {asked} within {timeout:g} s{said}"
        return TxtLookup(domain, asked, Outcome.FAILED, detail=detail)
    except TimeoutError:
        detail = f"no answer from {asked} within {timeout:g} s"
        return TxtLookup(domain, asked, Outcome.FAILED, detail=detail)
    except dns.resolver.NoNameservers as error:
        servers = _servers_said(error.kwargs.get("errors", []), resolver, quiet_timeouts=False)
        return TxtLookup(domain, asked, Outcome.FAILED, detail=servers or "no server answered")
    except dns.exception.DNSException as error:
        return TxtLookup(domain, asked, Outcome.FAILED, detail=_bounded(str(error)))
    if answer.rrset is None:
        return TxtLookup(domain, asked, Outcome.NOT_FOUND, detail="it has no TXT record")
    return _sorted_records(domain, asked, [b"".join(record.strings) for record in answer.rrset])


def _resolver(
    nameserver: Nameserver | None, system: SystemResolver, timeout: float
) -> tuple[dns.asyncresolver.Resolver, str]:
    """A resolver asking `nameserver`, or the servers of the system's resolv.conf; and who
    that is, for the summary."""
    import dns.asyncresolver
    import dns.nameserver

    resolver = dns.asyncresolver.Resolver(configure=False)
    if nameserver is not None:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(nameserver.address, nameserver.port)]
        asked = str(nameserver)
    else:
        resolver.read_resolv_conf(system.path)
        # resolv.conf holds bare addresses, asked on port 53 (or the one `system` says).
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(server, system.port)
            if isinstance(server, str)
            else server
            for server in resolver.nameservers
        ]
        asked = f"the system's resolver at {', '.join(_labels(resolver).values())}"
    # The whole look-up, every server and the retry over TCP, ends within `timeout`; one
    # try waits no longer than the system's own setting (resolv.conf `options timeout:`,
    # else 2 s), so that a second server gets its turn.
    resolver.lifetime = timeout
    resolver.timeout = min(resolver.timeout, timeout) if resolver.timeout > 0 else timeout
    return resolver, asked


def _labels(resolver: dns.asyncresolver.Resolver) -> dict[str, str]:
    """Each server of `resolver` as dnspython names it in errors -> as the admin types it."""
    import dns.nameserver

    labels: dict[str, str] = {}
    for server in resolver.nameservers:
        if isinstance(server, dns.nameserver.Nameserver):
            shown = Nameserver(server.answer_nameserver(), server.answer_port())
            labels[str(server)] = printable(str(shown))
    return labels


def _servers_said(
    errors: list[dns.resolver.ErrorTuple],
    resolver: dns.asyncresolver.Resolver,
    *,
    quiet_timeouts: bool,
) -> str:
    """What each server last did, in one line: `192.0.2.53 answered SERVFAIL; ...`. With
    `quiet_timeouts`, servers that only timed out are left out (the caller says so)."""
    import dns.exception
    import dns.message

    labels = _labels(resolver)
    said: dict[str, str] = {}
    for server, tcp, _port, error, _response in errors:
        name = labels.get(server or "", printable(server or "a server"))
        over = " over TCP" if tcp else ""
        if isinstance(error, str):  # an rcode: SERVFAIL, REFUSED, NOTIMP...
            said[name] = f"{name} answered {error}{over}"
        elif isinstance(error, dns.exception.Timeout):
            said[name] = "" if quiet_timeouts else f"{name} did not answer{over}"
        elif isinstance(error, dns.message.Truncated):
            said[name] = f"{name} sent a truncated answer{over}"
        elif isinstance(error, EOFError):
            said[name] = f"{name} closed the connection{over}"
        elif isinstance(error, OSError):
            reason = error.strerror or type(error).__name__
            said[name] = f"{name}: {reason}{over}"
        else:
            said[name] = f"{name} sent an answer that cannot be read ({_bounded(str(error))})"
    return "; ".join(text for text in said.values() if text)


def _sorted_records(domain: str, asked: str, records: list[bytes]) -> TxtLookup:
    """Sort the TXT records (each its strings joined without a separator, as RFC 7208 3.3
    joins SPF's) into Apple's, near misses, and others."""
    apple: list[str] = []
    near: list[str] = []
    others = 0
    for data in records:
        if _is_apple(data):
            apple.append(_shown(data))
            continue
        others += 1
        # Copied with the wrong case, with spaces or the quotes of a zone file around it (some
        # DNS panels keep them), without its value or with something else in it.
        if data.strip(b" \t\"'").lower().startswith(APPLE_PREFIX):
            text = data[: SHOWN_LIMIT * 4].decode("utf-8", errors="backslashreplace")
            near.append(argument(text))
    apple.sort()
    near.sort()
    if apple:
        return TxtLookup(
            domain,
            asked,
            Outcome.FOUND,
            apple_records=tuple(apple[:KEPT_RECORDS]),
            apple_count=len(apple),
            other_records=others,
            near_misses=tuple(near[:KEPT_RECORDS]),
        )
    detail = (
        "its TXT record is not Apple's"
        if others == 1
        else f"none of its {others} TXT records is Apple's"
    )
    return TxtLookup(
        domain,
        asked,
        Outcome.NOT_FOUND,
        other_records=others,
        near_misses=tuple(near[:KEPT_RECORDS]),
        detail=detail,
    )


def _is_apple(data: bytes) -> bool:
    """The prefix exactly, then a value: the random token Apple supplies, which an admin
    copies into a DNS panel, so visible ASCII without spaces (Apple does not document its
    alphabet). A value that is empty or holds anything else is not what Apple supplied."""
    value = data.removeprefix(APPLE_PREFIX)
    return (
        data.startswith(APPLE_PREFIX)
        and bool(value)
        and all(0x21 <= byte <= 0x7E for byte in value)
    )


def _shown(data: bytes) -> str:
    """A record as text fit for a terminal: undecodable bytes as \\x escapes, control and
    bidi characters escaped, cut to SHOWN_LIMIT characters."""
    text = data[: SHOWN_LIMIT * 4].decode("utf-8", errors="backslashreplace")
    if len(text) > SHOWN_LIMIT:
        return printable(text[:SHOWN_LIMIT]) + "…"
    return printable(text)


def _bounded(text: str) -> str:
    return one_line(text[:SHOWN_LIMIT] + ("…" if len(text) > SHOWN_LIMIT else ""))


def domain_verified_check(lookup: TxtLookup) -> DomainVerifiedCheck:
    """The `domain_verified` check: `pass` when Apple's record is published; otherwise
    `manual`, since Apple may have verified the domain another way, saying where to look.
    A failed look-up says why, and never blames the domain."""
    from wizard.core.prerequisites.checklist import APPLE_ITEMS

    where = next(item.where for item in APPLE_ITEMS if item.id == "domain_verified")
    look = f"Check that {where.rstrip('.')} shows {lookup.domain} as verified."
    if lookup.outcome is Outcome.FOUND:
        first, more = lookup.apple_records[0], lookup.apple_count - 1
        also = f" and {more} more" if more else ""
        return DomainVerifiedCheck(
            "pass",
            f"{lookup.domain} has Apple's domain verification TXT record {first}{also} "
            f"(asked {lookup.asked}).",
            first,
        )
    if lookup.outcome is Outcome.FAILED:
        # The domain is not to blame: the look-up says nothing about it either way.
        return DomainVerifiedCheck(
            "manual",
            f"The TXT look-up for {lookup.domain} could not be made: {lookup.detail}. {look}",
            None,
        )
    prefix = APPLE_PREFIX.decode()
    near = ""
    if lookup.near_misses:
        near = (
            f" The record {lookup.near_misses[0]} looks like it but is not as Apple supplies "
            f"it: exactly {prefix} followed by the value."
        )
    return DomainVerifiedCheck(
        "manual",
        f"No {prefix.rstrip('=')} TXT record at {lookup.domain}: {lookup.detail} (asked "
        f"{lookup.asked}).{near} Apple may have verified the domain through your identity "
        "provider (Google Workspace, Microsoft Entra ID), or the record may have been removed "
        f"after verification. {look}",
        None,
    )
