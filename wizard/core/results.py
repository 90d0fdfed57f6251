"""One domain's verification: its checks, the requests made (hops), the addresses, the
document, and for each warning or failure its cause and advice. The one shape every part
uses: `verify --json`, the history database (written and read back), the evidence report,
the Markdown export and the wizard.

The JSON form is a public contract: one object per domain, `{"domain", "ok", "unknown",
"failure", "conditions", "addresses": [{"address", "family", "ok", "failure"}], "checks":
[{"id", "status", "code", "cause", "summary", "remedy", "advice"}], "hops": [{"url", "status",
"method", "served_by", "location", "tls", "address", "ems", "cert_not_after", ...evidence}],
"document", "mdm", "os_verdicts": [{"range", "verdict", "summary"}], "elapsed_ms"}`.
`to_json` writes it; `from_json` reads it back, checking every field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from wizard.core.codes import CheckId, Code, Status

if TYPE_CHECKING:
    from pydantic import TypeAdapter

# Bounds on the evidence kept per hop, so a hostile server cannot make a report grow.
MAX_HEADERS = 60
MAX_HEADER_BYTES = 8192
MAX_EXCERPT_CHARS = 2048

Headers = list[tuple[str, str]]


@dataclass
class Advice:
    """What is wrong, the exact fix, and, where the MDM's portal checks the domain itself,
    the message it shows for the same problem and the portal's name ("JumpCloud portal").
    Decided once, by the diagnosis; renderers only format it."""

    problem: str
    fix: str
    portal_message: str | None = None
    portal: str | None = None

    def as_text(self) -> str:
        """One paragraph, as `checks[].remedy` carries it."""
        # A run saved before the advice had its parts kept only the paragraph (as `fix`).
        text = f"{self.problem} Fix: {self.fix}" if self.problem else self.fix
        if self.portal_message:
            text += f" ({self.portal_line})"
        return text

    @property
    def portal_line(self) -> str:
        """'JumpCloud portal: "message"', or "" without a message."""
        if not self.portal_message:
            return ""
        return f'{self.portal or "MDM portal"}: "{self.portal_message}"'


@dataclass
class Check:
    id: CheckId
    status: Status
    summary: str
    code: Code | None = None
    # The one cause the evidence shows (a row of diagnosis.causes), when there is one.
    cause: str | None = None
    advice: Advice | None = None

    @property
    def remedy(self) -> str | None:
        if self.status in ("warn", "fail") and self.advice is not None:
            return self.advice.as_text()
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "code": self.code,
            "cause": self.cause,
            "summary": self.summary,
            "remedy": self.remedy,
            "advice": _plain(self.advice),
        }


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
class Certificate:
    """One certificate a server sent, described after its chain failed to verify."""

    subject: str
    issuer: str
    names: list[str]
    not_after: str
    self_signed: bool
    issuer_url: str | None = None
    # On the leaf only: why the chain is untrusted (self_signed, missing_intermediate,
    # private_ca), as the certificates sent show it.
    cause: str | None = None


@dataclass
class Hop:
    """One request the check made, and the evidence its answer left."""

    url: str
    status: int | None = None
    location: str | None = None
    tls: str | None = None
    # The address the connection went to, and for TLS 1.2 whether the server negotiates the
    # extended master secret (None: TLS 1.3, or it could not be told).
    address: str | None = None
    ems: bool | None = None
    # When the certificate this hop's server sent expires (ISO 8601, UTC); None without TLS
    # or when it could not be read.
    cert_not_after: str | None = None
    method: str = "GET"
    request_headers: Headers = field(default_factory=list)
    response_headers: Headers = field(default_factory=list)
    served_by: str | None = None
    body_excerpt: str | None = None
    certificates: list[Certificate] | None = None
    # DER certificates a server sent when they failed to verify, for the diagnosis to
    # describe (as `certificates`); never written out.
    peer_chain: list[bytes] = field(default_factory=list, repr=False)

    def header(self, name: str) -> str | None:
        """The first response header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "method": self.method,
            "served_by": self.served_by,
            "location": self.location,
            "tls": self.tls,
            "address": self.address,
            "ems": self.ems,
            "cert_not_after": self.cert_not_after,
            "request_headers": [list(pair) for pair in self.request_headers],
            "response_headers": [list(pair) for pair in self.response_headers],
            "body_excerpt": self.body_excerpt,
            "certificates": [_plain(c) for c in self.certificates]
            if self.certificates is not None
            else None,
        }


@dataclass
class AddressResult:
    """One address the domain resolves to, and how the device's check went there.

    `ok` is None when the address was not checked (no route from this machine, or past
    the limit of addresses checked); `failure` is then None too."""

    address: str
    family: str  # "IPv4" or "IPv6"
    ok: bool | None
    failure: Code | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


# The ranges of OS versions a verdict is given for, and the verdicts (JSON contract).
OsRange = Literal["15.0-18.1", "18.2-26.x", "27+"]
Verdict = Literal["pass", "fail", "depends", "at_risk", "unknown"]


@dataclass
class OsVerdict:
    """What devices of one range of OS versions would do, judged from what the check saw:
    `pass`, `fail`, `depends` (on Apple Business Manager's fallback), `at_risk` (passes
    today; the stricter TLS of the OS 27 releases may refuse it) or `unknown` (this machine
    could not resolve names: nothing is known)."""

    range: OsRange
    verdict: Verdict
    summary: str

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


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
    os_verdicts: list[OsVerdict] = field(default_factory=list)

    @property
    def failure(self) -> Code | None:
        """The code of the first failing check, or None."""
        return next((check.code for check in self.checks if check.status == "fail"), None)

    @property
    def ok(self) -> bool:
        return all(check.status != "fail" for check in self.checks)

    @property
    def unknown(self) -> bool:
        """Failed only for a reason of the checking machine (its resolver): nothing is known
        about the domain. Never a pass (`ok` is False); `verify` exits 1 (a monitor's
        UNKNOWN), and the history does not count it as the domain failing."""
        failing = [check for check in self.checks if check.status == "fail"]
        return bool(failing) and all(
            check.code is not None and check.code.is_unknown for check in failing
        )

    @property
    def warned(self) -> bool:
        return any(check.status == "warn" for check in self.checks)

    def problems(self) -> list[Check]:
        """The failing checks, then the warnings."""
        return [c for c in self.checks if c.status == "fail"] + [
            c for c in self.checks if c.status == "warn"
        ]

    def final_hop(self) -> Hop | None:
        """The last request that got an answer."""
        return next((hop for hop in reversed(self.hops) if hop.status is not None), None)

    def earliest_cert_expiry(self) -> datetime | None:
        """When the first of the certificates the device's requests met expires (each hop's
        server certificate), or None when none was read."""
        found = []
        for hop in self.hops:
            try:
                expiry = datetime.fromisoformat(hop.cert_not_after or "")
            except ValueError:
                continue  # none, or a saved run's value this version cannot read
            if expiry.tzinfo is not None:
                found.append(expiry)
        return min(found, default=None)

    def redirect_targets(self) -> list[str]:
        """Each redirect's target: the hops it led to, and a last Location not followed."""
        targets = [hop.url for hop in self.hops[1:]]
        if self.hops and self.hops[-1].location:
            targets.append(self.hops[-1].location)
        return targets

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "ok": self.ok,
            "unknown": self.unknown,
            "failure": self.failure,
            "conditions": list(self.conditions),
            "addresses": [address.to_json() for address in self.addresses],
            "checks": [check.to_json() for check in self.checks],
            "hops": [hop.to_json() for hop in self.hops],
            "document": self.document,
            "mdm": self.mdm,
            "os_verdicts": [verdict.to_json() for verdict in self.os_verdicts],
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_json(cls, data: object) -> DomainReport:
        """A report as `to_json` wrote it (a saved run, read back); raises ValueError when a
        field is missing or of the wrong type. Older runs without the newer fields read."""
        from pydantic import ValidationError

        try:
            report = _adapter().validate_python(_with_advice(data))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            raise ValueError(f"saved result: {where or '?'}: {first.get('msg')}") from None
        # The verdict follows from the checks; a result whose saved verdict says otherwise
        # (0.1.0 kept failures without their checks) cannot be shown as it was.
        if isinstance(data, dict) and data.get("ok", report.ok) != report.ok:
            raise ValueError("saved result: its verdict does not follow from its checks")
        return report


def _with_advice(data: object) -> object:
    """Checks saved before `advice` existed carry only `remedy`: kept as their advice. Advice
    saved before `portal` existed quoted JumpCloud's portal, the only one quoted then."""
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        return data
    checks = [_older_check(check) for check in data["checks"]]
    return {**data, "checks": checks}


def _older_check(check: object) -> object:
    if not isinstance(check, dict):
        return check
    advice = check.get("advice")
    if "advice" not in check and isinstance(check.get("remedy"), str):
        return {**check, "advice": {"problem": "", "fix": check["remedy"]}}
    if isinstance(advice, dict) and advice.get("portal_message") and "portal" not in advice:
        return {**check, "advice": {**advice, "portal": "JumpCloud portal"}}
    return check


def _plain(value: Any) -> dict[str, Any] | None:
    """A dataclass as a JSON-ready dict (one level; its fields are plain values)."""
    return None if value is None else dict(vars(value))


_ADAPTER: list[TypeAdapter[DomainReport]] = []


def _adapter() -> TypeAdapter[DomainReport]:
    # pydantic only where a saved report is read back (the wizard, the Markdown export): a
    # `verify` run writes reports and never pays for it (about 100 ms at its start).
    if not _ADAPTER:
        from pydantic import TypeAdapter

        _ADAPTER.append(TypeAdapter(DomainReport))
    return _ADAPTER[0]
