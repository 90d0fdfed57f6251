"""What a verification produces: checks, hops and the per-domain report.

The JSON form is a public contract (`adue-wizard verify --json`): one object per domain,
`{"domain", "ok", "failure", "conditions": [...], "addresses": [{"address", "family", "ok",
"failure"}], "checks": [{"id", "status", "code", "cause", "summary", "remedy"}], "hops":
[{"url", "status", "served_by", ...evidence}], "document", "mdm", "elapsed_ms"}`.
The evidence fields of a hop (headers, body excerpt, certificates) are bounded, so a hostile
server cannot make a report grow without limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.core.diagnosis.remedies import remedy_for

Status = Literal["pass", "warn", "fail", "skip"]

# The device's steps, in the order it meets them; every report lists each once per family.
CHECK_ORDER = (
    "dns",
    "addresses",
    "connect",
    "redirects",
    "status",
    "content_type",
    "body",
    "json",
    "config",
    "enroll_probe",
)
CHECK_TITLES = {
    "dns": "Name resolution",
    "addresses": "Every address",
    "connect": "TCP + TLS",
    "redirects": "Redirects",
    "status": "HTTP status",
    "content_type": "Content-Type",
    "body": "Body",
    "json": "JSON document",
    "config": "Version and BaseURL",
    "enroll_probe": "Enrollment endpoint",
}


@dataclass
class Check:
    id: str
    status: Status
    summary: str
    code: str | None = None
    # Set after the run from the evidence (wizard.core.diagnosis.diagnose): the one cause
    # of a warning or failure, and its fix for the platform that answered.
    cause: str | None = None
    fix: str | None = None
    # False when the MDM is not JumpCloud: its portal's messages are not quoted then.
    portal_messages: bool = True

    @property
    def remedy(self) -> str | None:
        if self.status in ("warn", "fail") and self.fix:
            return self.fix
        if self.status in ("warn", "fail") and self.code:
            entry = remedy_for(self.code)
            return entry.as_text(self.portal_messages) if entry else None
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "code": self.code,
            "cause": self.cause,
            "summary": self.summary,
            "remedy": self.remedy,
        }


# Bounds on the evidence kept per hop.
MAX_HEADERS = 60
MAX_HEADER_BYTES = 8192
MAX_EXCERPT_CHARS = 2048

Headers = list[tuple[str, str]]


def bounded_headers(raw: list[tuple[bytes, bytes]] | Headers) -> Headers:
    """At most MAX_HEADERS headers and MAX_HEADER_BYTES bytes, decoded as latin-1 (HTTP's own
    charset for header bytes), in the order they were sent."""
    kept: Headers = []
    size = 0
    for name, value in raw:
        name_text = name.decode("latin-1") if isinstance(name, bytes) else name
        value_text = value.decode("latin-1") if isinstance(value, bytes) else value
        size += len(name_text) + len(value_text) + 4
        if len(kept) >= MAX_HEADERS or size > MAX_HEADER_BYTES:
            kept.append(("...", "more headers left out"))
            break
        kept.append((name_text, value_text))
    return kept


@dataclass
class Hop:
    url: str
    status: int | None = None
    location: str | None = None
    tls: str | None = None
    method: str = "GET"
    # Evidence for the diagnosis and for a ticket.
    request_headers: Headers = field(default_factory=list)
    response_headers: Headers = field(default_factory=list)
    served_by: str | None = None
    body_excerpt: str | None = None
    # DER certificates the server sent, kept only when its certificate failed to verify;
    # `certificates` is their summary, filled in by the diagnosis.
    peer_chain: list[bytes] = field(default_factory=list)
    certificates: list[dict[str, Any]] | None = None

    def header(self, name: str) -> str | None:
        """The first response header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "method": self.method,
            "served_by": self.served_by,
            "request_headers": [list(pair) for pair in self.request_headers],
            "response_headers": [list(pair) for pair in self.response_headers],
            "body_excerpt": self.body_excerpt,
            "certificates": self.certificates,
        }


@dataclass
class AddressResult:
    """One address the domain resolves to, and how the device's check went there.

    `ok` is None when the address was not checked (no route from this machine, or past
    the limit of addresses checked); `failure` is then None too."""

    address: str
    family: str  # "IPv4" or "IPv6"
    ok: bool | None
    failure: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "family": self.family,
            "ok": self.ok,
            "failure": self.failure,
        }


@dataclass
class DomainReport:
    domain: str
    # The test settings this run was made under, written as on the command line.
    conditions: list[str] = field(default_factory=list)
    addresses: list[AddressResult] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    document: Any = None
    elapsed_ms: int = 0
    # The MDM the redirect target or BaseURL belongs to (a preset name), None when it is
    # none of the named ones; never "generic".
    mdm: str | None = None

    @property
    def failure(self) -> str | None:
        """The code of the first failing check, or None."""
        for check in self.checks:
            if check.status == "fail":
                return check.code
        return None

    @property
    def ok(self) -> bool:
        return all(check.status != "fail" for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "ok": self.ok,
            "failure": self.failure,
            "conditions": list(self.conditions),
            "addresses": [address.as_json() for address in self.addresses],
            "checks": [check.as_json() for check in self.checks],
            "hops": [hop.as_json() for hop in self.hops],
            "document": self.document,
            "mdm": self.mdm,
            "elapsed_ms": self.elapsed_ms,
        }
