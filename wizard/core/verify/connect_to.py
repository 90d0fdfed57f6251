"""curl-style `--connect-to HOST1:PORT1:HOST2:PORT2` rules.

A request for HOST1:PORT1 opens its TCP connection to HOST2:PORT2 instead, while SNI, the
Host header and certificate checks still use HOST1. An empty HOST1 or PORT1 matches any
host or port; an empty HOST2 or PORT2 keeps the original. Admins use this to test a server
before DNS points at it; it applies to every hop, redirect targets included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

_RULE = re.compile(r"^(\[[^\]]*\]|[^:\[\]]*):(\d*):(\[[^\]]*\]|[^:\[\]]*):(\d*)$")


@dataclass(frozen=True)
class ConnectTo:
    host: str | None
    port: int | None
    target_host: str | None
    target_port: int | None

    def matches(self, host: str, port: int) -> bool:
        return (self.host is None or self.host == host.lower()) and (
            self.port is None or self.port == port
        )

    def __str__(self) -> str:
        def part(value: object) -> str:
            return "" if value is None else str(value)

        return ":".join(
            part(value) for value in (self.host, self.port, self.target_host, self.target_port)
        )


def parse_connect_to(spec: str) -> ConnectTo:
    """Parse one rule; raises InvalidInput with a one-line message."""
    match = _RULE.match(spec.strip())
    if not match:
        raise InvalidInput(
            f"--connect-to {argument(spec)} is not HOST1:PORT1:HOST2:PORT2 "
            "(e.g. example.com:443:127.0.0.1:8443)"
        )
    host, port, target_host, target_port = match.groups()
    return ConnectTo(
        host=_host(host),
        port=_port(port, spec),
        target_host=_host(target_host),
        target_port=_port(target_port, spec),
    )


def route(rules: tuple[ConnectTo, ...], host: str, port: int) -> tuple[str, int]:
    """Where to open the TCP connection for host:port: the first matching rule wins."""
    rule = find_rule(rules, host, port)
    if rule is None:
        return host, port
    return rule.target_host or host, rule.target_port or port


def find_rule(rules: tuple[ConnectTo, ...], host: str, port: int) -> ConnectTo | None:
    for rule in rules:
        if rule.matches(host, port):
            return rule
    return None


def _host(text: str) -> str | None:
    if not text:
        return None
    return text[1:-1] if text.startswith("[") else text.lower()


def _port(text: str, spec: str) -> int | None:
    if not text:
        return None
    value = int(text)
    if not 0 < value < 65536:
        raise InvalidInput(f"--connect-to {argument(spec)}: port {value} is out of range")
    return value
