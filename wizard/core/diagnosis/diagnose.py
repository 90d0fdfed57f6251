"""The diagnosis pass, run once a domain's checks are done: from the evidence each hop
recorded, the one cause of each warning or failure and its fix for the platform that answered.

A passing report without placeholders returns at once, before anything heavy is imported:
`adue-wizard verify` keeps its start-up on the passing path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from wizard.core.diagnosis.placeholders import find_placeholder, placeholder_in_targets
from wizard.core.verify.results import Check, DomainReport

if TYPE_CHECKING:
    from wizard.core.diagnosis.causes import Evidence

MAX_NAMES_SHOWN = 8


class Context(Protocol):
    """What the diagnosis needs to know about the run (VerifyOptions has these)."""

    @property
    def org_id(self) -> str | None: ...
    @property
    def platform(self) -> str | None: ...
    @property
    def method(self) -> str | None: ...
    @property
    def mdm(self) -> str | None: ...


def diagnose(report: DomainReport, context: Context) -> None:
    """Fill in `cause` and `fix` of each warning and failure, certificate summaries, and
    fail `config` when a placeholder is left in."""
    _fail_on_placeholder(report)
    if all(check.status in ("pass", "skip") for check in report.checks):
        return
    _describe_certificates(report)
    final = next((hop for hop in reversed(report.hops) if hop.status is not None), None)
    # Only a warning or failure needs the causes (and what they import).
    from wizard.core.diagnosis.causes import Evidence, cause_for
    from wizard.core.diagnosis.remedies import remedy_for

    portal = _jumpcloud_or_unknown(context.mdm, report.mdm)
    for check in report.checks:
        check.portal_messages = portal
        evidence = Evidence(report, check, final, context.method)
        cause = cause_for(evidence)
        if cause is None:
            continue
        check.cause = cause.id
        text = f"{cause.problem} Fix: {cause.fix}"
        extra = _platform_text(cause.id, cause.platform_fix, evidence, context)
        if extra:
            text += f" {extra}"
        entry = remedy_for(check.code) if check.code else None
        if entry and entry.portal_message and portal:
            text += f' (JumpCloud portal: "{entry.portal_message}")'
        check.fix = text


def _jumpcloud_or_unknown(asked: str | None, recognised: str | None) -> bool:
    """JumpCloud's portal messages are for JumpCloud: quoted when JumpCloud is the MDM asked
    for, or, with none asked, unless the domain points at another named MDM."""
    if asked is not None:
        return asked == "jumpcloud"
    return recognised in (None, "jumpcloud")


def _fail_on_placeholder(report: DomainReport) -> None:
    """A placeholder in the document or a redirect target fails `config` with bad_config."""
    found = None
    document = report.document
    if isinstance(document, dict) and isinstance(document.get("Servers"), list):
        for server in document["Servers"][:1]:
            if isinstance(server, dict):
                for key in ("BaseURL", "Version"):
                    value = server.get(key)
                    if isinstance(value, str) and (hit := find_placeholder(value, report.domain)):
                        found = f"the document's {key} holds {hit}"
                        break
    found = found or placeholder_in_targets(report)
    if found is None:
        return
    summary = f"{found}: a placeholder left in"
    configs = [check for check in report.checks if check.id == "config"]
    for check in configs:
        if check.status != "fail":
            check.status, check.code, check.summary = "fail", "bad_config", summary
    if not configs:
        report.checks.append(Check("config", "fail", summary, "bad_config"))


def _describe_certificates(report: DomainReport) -> None:
    chained = [hop for hop in report.hops if hop.peer_chain]
    if not chained:
        return
    from wizard.core.diagnosis.certificates import covered_names, summarise_chain

    for hop in chained:
        hop.certificates = summarise_chain(hop.peer_chain)
    entries = chained[-1].certificates or []
    for check in report.checks:
        if check.id != "connect" or check.status != "fail" or not entries:
            continue
        if check.code == "tls_hostname_mismatch":
            names = covered_names(entries)
            shown = ", ".join(names[:MAX_NAMES_SHOWN]) or "no DNS names"
            more = (
                f" and {len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else ""
            )
            check.summary += f"; it covers: {shown}{more}"
        elif check.code == "tls_untrusted":
            leaf = entries[0]
            check.summary += (
                f"; the server sent {len(entries)} certificate"
                + ("s" if len(entries) != 1 else "")
                + f", the first issued by {leaf['issuer'] or 'an unnamed issuer'}"
            )


def _platform_text(cause_id: str, kind: str | None, e: Evidence, context: Context) -> str | None:
    if kind is None:
        return None
    from wizard.core.diagnosis import platform_fixes
    from wizard.core.diagnosis.causes import cache_hit, waf_signal
    from wizard.core.diagnosis.fingerprints import describe

    answered = e.final.served_by if e.final else None
    answered_by = describe(e.final.response_headers) if e.final else None
    if kind == "waf":
        service = _service_of(waf_signal(e.final) or "") or answered
        place = platform_fixes.WAF_PLACES.get(service or "")
        return f"Where: {place}" if place else None
    if kind == "purge":
        service = _service_of(cache_hit(e.final) or "") or answered
        place = platform_fixes.PURGE_PLACES.get(service or "")
        return f"Where: {place}" if place else None
    if kind == "static":
        steps = platform_fixes.static_host_steps(answered or "")
        return " ".join(steps) or None
    # A directive from the generators: for the first hop's server when the domain redirects
    # away before the rule runs, else for what answered, else for the setup's platform.
    if cause_id == "apex_to_www" and e.report.hops:
        answered = e.report.hops[0].served_by
        answered_by = describe(e.report.hops[0].response_headers)
    # A wrong type is fixed where the file is served, whatever the setup meant to do.
    method = "self-host" if cause_id == "mime_not_set" else context.method
    if method is None and context.org_id:
        method = "redirect"
    if method is None:
        return None
    for platform in dict.fromkeys(p for p in (answered, context.platform) if p):
        quote = platform_fixes.directive_quote(
            platform, method, domain=e.report.domain, org_id=context.org_id
        )
        if quote:
            note = f" ({answered_by})" if platform == answered and answered_by else ""
            return quote.as_text() + note
    return None


def _service_of(signal: str) -> str | None:
    """The service a cache or firewall header belongs to."""
    lowered = signal.lower()
    prefixes: dict[str, str] = {
        "cf-": "cloudflare",
        "cloudflare": "cloudflare",
        "x-vercel": "vercel",
        "x-amzn": "cloudfront",
        "akamai": "akamai",
        "x-nf-": "netlify",
    }
    return next(
        (service for prefix, service in prefixes.items() if lowered.startswith(prefix)), None
    )
