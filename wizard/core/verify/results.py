"""What a verification produces: checks, hops and the per-domain report.

The JSON form is a public contract (`adue-wizard verify --json`): one object per domain,
`{"domain", "ok", "failure", "conditions": [...], "addresses": [{"address", "family", "ok",
"failure"}], "checks": [{"id", "status", "code", "summary", "remedy"}], "hops": [{"url",
"status"}], "document", "elapsed_ms"}`.
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

    @property
    def remedy(self) -> str | None:
        if self.status in ("warn", "fail") and self.code:
            entry = remedy_for(self.code)
            return entry.as_text() if entry else None
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "code": self.code,
            "summary": self.summary,
            "remedy": self.remedy,
        }


@dataclass
class Hop:
    url: str
    status: int | None = None
    location: str | None = None
    tls: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status}


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
            "elapsed_ms": self.elapsed_ms,
        }
