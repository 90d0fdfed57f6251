"""curl-style `--resolve HOST:PORT:ADDR[,ADDR...]` rules, and the addresses a host has.

A rule gives the addresses to use for HOST:PORT instead of asking DNS (IPv6 written bare or
in brackets, as curl accepts). Admins use it to check a new server before DNS moves, or a
load balancer's nodes one by one. Combined with `--connect-to` as curl does: the target
HOST2:PORT2 of a `--connect-to` rule is looked up through a matching `--resolve` rule.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Literal

from wizard.core.domains import InvalidInput

Family = Literal["IPv4", "IPv6"]


@dataclass(frozen=True)
class Resolve:
    host: str
    port: int
    addresses: tuple[str, ...]

    def matches(self, host: str, port: int) -> bool:
        return self.host == host.lower().strip("[]").rstrip(".") and self.port == port

    def __str__(self) -> str:
        shown = ",".join(f"[{a}]" if ":" in a else a for a in self.addresses)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}:{shown}"


def parse_resolve(spec: str) -> Resolve:
    """Parse one rule; raises InvalidInput with a one-line message."""
    text = spec.strip()
    usage = f"--resolve {spec!r} is not HOST:PORT:ADDR[,ADDR...] (e.g. example.com:443:192.0.2.10)"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        rest = rest.removeprefix(":")
    else:
        host, _, rest = text.partition(":")
    port_text, _, addresses_text = rest.partition(":")
    if not host or not port_text.isdigit() or not addresses_text:
        raise InvalidInput(usage)
    port = int(port_text)
    if not 0 < port < 65536:
        raise InvalidInput(f"--resolve {spec!r}: port {port} is out of range")
    addresses = []
    for item in addresses_text.split(","):
        bare = item.strip().removeprefix("[").removesuffix("]")
        try:
            addresses.append(str(ipaddress.ip_address(bare)))
        except ValueError:
            raise InvalidInput(f"--resolve {spec!r}: {item!r} is not an IP address") from None
    # A fully qualified name with its root dot is the same name the domain is checked as.
    return Resolve(host.lower().rstrip("."), port, tuple(dict.fromkeys(addresses)))


# getaddrinfo's answers that the name has no address: it does not exist (NXDOMAIN), or has
# no A or AAAA record. Any other failure (EAI_AGAIN "Temporary failure in name resolution":
# no answer, SERVFAIL, a timeout; EAI_FAIL; EAI_SYSTEM...) means the look-up itself could
# not be made, and nothing is known about the name.
_NO_SUCH_NAME = frozenset(
    getattr(socket, name)
    for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY")
    if hasattr(socket, name)
)


def lookup_failed(error: socket.gaierror) -> bool:
    """Whether getaddrinfo could not make the look-up (this machine's resolver failed), as
    opposed to answering that the name has no address (the domain's problem)."""
    return error.errno not in _NO_SUCH_NAME


def find_resolve(rules: tuple[Resolve, ...], host: str, port: int) -> Resolve | None:
    for rule in rules:
        if rule.matches(host, port):
            return rule
    return None


def family_of(address: str) -> Family:
    return "IPv6" if ":" in address else "IPv4"


def ip_literal(host: str) -> str | None:
    """`host` as a normalised IP address, or None when it is a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


async def addresses_of(host: str, port: int, rules: tuple[Resolve, ...]) -> list[str]:
    """Every address for host:port in the resolver's order: a --resolve rule, an IP literal,
    or DNS for A and AAAA (through CNAMEs, as getaddrinfo does). Raises socket.gaierror
    (or UnicodeError for a name IDNA cannot encode)."""
    rule = find_resolve(rules, host, port)
    if rule is not None:
        return list(rule.addresses)
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, family=socket.AF_UNSPEC, type=socket.SOCK_STREAM)
    # dict.fromkeys: unique, in the resolver's order (RFC 6724 sorting by the system).
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
