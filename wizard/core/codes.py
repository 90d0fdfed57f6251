"""The names of a verification's parts, as enumerations: each check a device makes, in order,
and each failure and warning code. Both are public contract (`verify --json`), so they are
spelled here once and compared by member, never by a string typed out elsewhere.

They are `StrEnum`s: a member is its own JSON value, and compares equal to it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Status = Literal["pass", "warn", "fail", "skip"]


class CheckId(StrEnum):
    """The device's steps, in the order it meets them; every report lists each once per
    model family."""

    DNS = "dns"
    ADDRESSES = "addresses"
    CONNECT = "connect"
    REDIRECTS = "redirects"
    STATUS = "status"
    CONTENT_TYPE = "content_type"
    BODY = "body"
    JSON = "json"
    CONFIG = "config"
    BASEURL = "baseurl"
    ENROLL_PROBE = "enroll_probe"

    @property
    def heading(self) -> str:
        """What the check is called on a screen or in a report ("TCP + TLS")."""
        return CHECK_TITLES[self]


CHECK_ORDER: tuple[CheckId, ...] = tuple(CheckId)
CHECK_TITLES: dict[CheckId, str] = {
    CheckId.DNS: "Name resolution",
    CheckId.ADDRESSES: "Every address",
    CheckId.CONNECT: "TCP + TLS",
    CheckId.REDIRECTS: "Redirects",
    CheckId.STATUS: "HTTP status",
    CheckId.CONTENT_TYPE: "Content-Type",
    CheckId.BODY: "Body",
    CheckId.JSON: "JSON document",
    CheckId.CONFIG: "Version and BaseURL",
    CheckId.BASEURL: "The MDM's server",
    CheckId.ENROLL_PROBE: "Enrollment endpoint",
}


def title_of(check_id: str) -> str:
    """A check's title, or the id itself for one this version does not know."""
    try:
        return CHECK_TITLES[CheckId(check_id)]
    except ValueError:
        return check_id


class Code(StrEnum):
    """Why a check failed or warned. Failures stop a device; warnings do not (yet)."""

    # Failures.
    INVALID_DOMAIN = "invalid_domain"
    # This machine could not look the name up at all (its resolver failed, timed out or is
    # unreachable): nothing is known about the domain. A failure, never a pass, but not the
    # domain's: see UNKNOWN_CODES.
    RESOLVER_FAILED = "resolver_failed"
    CONNECT_FAILED = "connect_failed"
    TIMEOUT = "timeout"
    TLS_UNTRUSTED = "tls_untrusted"
    TLS_HOSTNAME_MISMATCH = "tls_hostname_mismatch"
    TLS_EXPIRED = "tls_expired"
    TLS_PROTOCOL = "tls_protocol"
    TLS_WEAK_KEY = "tls_weak_key"
    INSECURE_REDIRECT = "insecure_redirect"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    WRONG_ORG_ID = "wrong_org_id"
    BAD_STATUS = "bad_status"
    BAD_CONTENT_TYPE = "bad_content_type"
    BODY_TOO_LARGE = "body_too_large"
    UNREADABLE_BODY = "unreadable_body"
    BAD_JSON = "bad_json"
    BAD_CONFIG = "bad_config"
    # The MDM's enrollment server (the BaseURL's host) breaks today's TLS rules; as a
    # warning, it misses only what iOS 27 may enforce.
    BASEURL_TLS = "baseurl_tls"
    ENROLL_PROBE_FAILED = "enroll_probe_failed"
    # Warnings.
    CERT_EXPIRING = "cert_expiring"
    QUERY_NOT_FORWARDED = "query_not_forwarded"
    ADDRESS_UNCHECKED = "address_unchecked"
    UNEXPECTED_KEYS = "unexpected_keys"
    MULTIPLE_SERVERS = "multiple_servers"
    VERSION_DEVICE_ENROLLMENT = "version_device_enrollment"
    UTF8_BOM = "utf8_bom"
    PROBE_INCONCLUSIVE = "probe_inconclusive"
    # TLS 1.2 without the extended master secret (RFC 7627): iOS 27 and later may refuse it.
    TLS_NO_EMS = "tls_no_ems"
    BASEURL_UNREACHABLE = "baseurl_unreachable"
    # A saved setup's domain still passes, but serves another document or redirects
    # elsewhere than at its last passing run (compared as JSON: key order is no change).
    CHANGED_SINCE_PASS = "changed_since_pass"

    @property
    def is_failure(self) -> bool:
        return self in FAILURE_CODES

    @property
    def is_unknown(self) -> bool:
        """A failure of the checking machine, which leaves the domain's state unknown."""
        return self in UNKNOWN_CODES


# The failures are declared first, up to the last of them.
_CODES = list(Code)
FAILURE_CODES: frozenset[Code] = frozenset(_CODES[: _CODES.index(Code.ENROLL_PROBE_FAILED) + 1])
# Failures that say nothing about the domain: a run that meets only these is recorded as
# unknown (neither a pass nor the domain failing), and a monitor reports UNKNOWN.
UNKNOWN_CODES: frozenset[Code] = frozenset({Code.RESOLVER_FAILED})
