"""What a run of several domains says first, before the domain-by-domain results: when they
all failed the same way, that is the news (five domains on three TLDs that all fail DNS point
at this machine or its network, not at five DNS zones), and when this machine could not look
names up, that is said once, not once per domain."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.core.codes import Code
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.results import Check, DomainReport

# Failures the checking machine or its network can cause for every domain at once: no name
# resolution, no route or a firewall on the way out, a TLS-intercepting proxy.
_THIS_SIDE = frozenset(
    {
        Code.INVALID_DOMAIN,
        Code.CONNECT_FAILED,
        Code.TIMEOUT,
        Code.TLS_UNTRUSTED,
        Code.TLS_HOSTNAME_MISMATCH,
        Code.TLS_PROTOCOL,
    }
)
RESOLVER_LINE = "this machine could not resolve names; nothing is known about {which}"


def run_headline(reports: Sequence[DomainReport]) -> str | None:
    """The line a run's summary starts with, or None when there is nothing to say first."""
    unknown = [report for report in reports if report.unknown]
    if unknown:
        if len(reports) == 1:
            return RESOLVER_LINE.format(which="the domain")
        which = "the domains" if len(unknown) == len(reports) else "them"
        count = "all" if len(unknown) == len(reports) else f"{len(unknown)} of"
        return f"{count} {len(reports)} domains: " + RESOLVER_LINE.format(which=which)
    if len(reports) < 2 or any(report.ok for report in reports):
        return None
    firsts = [_first_failure(report) for report in reports]
    reasons = {(check.code, check.cause) for check in firsts}
    if len(reasons) != 1:
        return None
    [(code, cause)] = reasons
    if code is None:
        return None
    line = f"all {len(reports)} domains: {code} ({cause or remedy_for(code).brief})"
    if code in _THIS_SIDE and _registered_domains(reports) > 1:
        line += "; the problem is probably on this side"
    return line


def _first_failure(report: DomainReport) -> Check:
    return next(check for check in report.checks if check.status == "fail")


def _registered_domains(reports: Sequence[DomainReport]) -> int:
    # The public-suffix list only when every domain failed alike.
    from wizard.core.diagnosis.registered_domain import registered_domain

    return len({registered_domain(report.domain) for report in reports})
