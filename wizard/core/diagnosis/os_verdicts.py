"""What devices of each range of OS versions would do, from what the check saw. Admins ask
"will my users' phones get through?", and the answer depends on the phone:

- iOS/iPadOS 15.0-18.1 ask the well-known URL only.
- 18.2-26.x ask it first; when it fails with an HTTP error status they ask Apple Business
  Manager, which sends them to the discovery URL the MDM registered there, if it did (Apple
  documents the fallback for HTTP error statuses only: an HTML page answering 200, a wrong
  document or a TLS failure leaves them nowhere).
- 27 and later as 18.2, and Apple may refuse TLS 1.2 without the extended master secret on
  device-management connections (support note 126655: "may", so "at risk", not a failure).

When this machine could not look the name up, every range is "unknown": never a pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wizard.core.codes import CheckId, Code
from wizard.core.protocol import WELL_KNOWN_FAILED
from wizard.core.providers.preset import Preset
from wizard.core.results import Check, DomainReport, OsRange, OsVerdict

EARLY: OsRange = "15.0-18.1"
FALLBACK: OsRange = "18.2-26.x"
STRICT: OsRange = "27+"
RANGES: tuple[OsRange, ...] = (EARLY, FALLBACK, STRICT)


def os_verdicts(report: DomainReport, preset: Preset | None) -> list[OsVerdict]:
    """One verdict per range, in order."""
    if report.unknown:
        # This machine could not look the name up: no range passes, none is known to fail.
        why = "this machine could not resolve names: nothing is known about the domain"
        return [OsVerdict(name, "unknown", why) for name in RANGES]
    failing = next((check for check in report.checks if check.status == "fail"), None)
    at_risk = _ems_risk(report)
    if failing is None:
        passing = OsVerdict(FALLBACK, "pass", "the well-known URL answers as devices need")
        strict = (
            OsVerdict(STRICT, "at_risk", f"passes today; {at_risk}")
            if at_risk
            else OsVerdict(STRICT, "pass", passing.summary)
        )
        return [OsVerdict(EARLY, "pass", passing.summary), passing, strict]
    if failing.id == CheckId.BASEURL:
        why = "the MDM's enrollment server breaks the TLS rules devices apply"
        return [OsVerdict(name, "fail", f"{why}: no device enrolls") for name in RANGES]
    early = OsVerdict(
        EARLY, "fail", f"the well-known URL fails ({failing.code}): these devices cannot enroll"
    )
    if failing.cause == "apple_refusal":
        refused = (
            f"the domain refuses devices on purpose ({WELL_KNOWN_FAILED}): they show its "
            "message and do not enroll"
        )
        return [early, OsVerdict(FALLBACK, "fail", refused), OsVerdict(STRICT, "fail", refused)]
    status = _http_error(report, failing)
    if status is None:
        fallback = OsVerdict(
            FALLBACK,
            "fail",
            f"the well-known URL fails ({failing.code}), not with an HTTP error status; Apple "
            "documents the fallback to Apple Business Manager only for HTTP error statuses, so "
            "these devices cannot enroll",
        )
        return [early, fallback, OsVerdict(STRICT, "fail", fallback.summary)]
    how = f" ({preset.abm_registration})" if preset and preset.abm_registration else ""
    depends = (
        f"the well-known URL answers {status}; these devices then ask Apple Business Manager, "
        f"and enroll only if your MDM registered its discovery URL with it{how}"
    )
    strict = (
        OsVerdict(STRICT, "at_risk", f"{depends}; and {at_risk}")
        if at_risk
        else OsVerdict(STRICT, "depends", depends)
    )
    return [early, OsVerdict(FALLBACK, "depends", depends), strict]


def _http_error(report: DomainReport, failing: Check) -> int | None:
    """The HTTP error status (4xx, 5xx) the well-known URL failed with, or None when it
    failed otherwise: only then does a device ask Apple Business Manager."""
    if failing.id != CheckId.STATUS:
        return None
    final = report.final_hop()
    if final is None or final.status is None or not 400 <= final.status < 600:
        return None
    return final.status


def _ems_risk(report: DomainReport) -> str | None:
    """What iOS 27 may refuse here (TLS 1.2 without the extended master secret), naming each
    host found without it, or None."""
    hosts = list(
        dict.fromkeys(
            urlsplit(hop.url).hostname or hop.url for hop in report.hops if hop.ems is False
        )
    )
    codes = {check.code for check in report.checks if check.status == "warn"}
    if Code.TLS_NO_EMS in codes and not hosts:
        # Found on another address's run: only its hops to the domain itself went to
        # another address (redirects to other hosts go where the OS sends them, in every
        # run), so the server without it is one of the domain's.
        hosts.append(report.domain)
    if any(
        check.id == CheckId.BASEURL and check.status == "warn" and check.code == Code.BASEURL_TLS
        for check in report.checks
    ):
        host = _base_url_host(report) or "the MDM"
        if host in hosts:  # the MDM's server is also on the way to the document
            hosts.remove(host)
        hosts.append(f"{host} (the MDM's enrollment server)")
    if not hosts:
        return None
    named = ", ".join(hosts[:-1]) + f" and {hosts[-1]}" if len(hosts) > 1 else hosts[0]
    return f"iOS/iPadOS 27 and later may refuse {named}: TLS 1.2 without the extended master secret"


def _base_url_host(report: DomainReport) -> str | None:
    """The host of the document's BaseURL, which the `baseurl` check connected to."""
    document = report.document
    if not isinstance(document, dict) or not isinstance(document.get("Servers"), list):
        return None
    servers = [server for server in document["Servers"] if isinstance(server, dict)]
    base_url = servers[0].get("BaseURL") if servers else None
    return urlsplit(base_url).hostname if isinstance(base_url, str) else None
