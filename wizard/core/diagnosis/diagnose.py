"""The diagnosis pass, run once a domain's checks are done: from the evidence each hop
recorded, the one cause of each warning or failure, and its advice (what is wrong, the fix
for the platform that answered, the MDM portal's words), decided here once.

A report that only passed returns at once, before anything heavy is imported: `adue-wizard
verify` keeps its start-up on the passing path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from wizard.core.codes import CheckId, Code
from wizard.core.diagnosis.fingerprints import describe
from wizard.core.diagnosis.os_verdicts import os_verdicts
from wizard.core.diagnosis.remedies import ABM_FALLBACK, FALLBACK_DEFEATED, remedy_for
from wizard.core.placeholders import find_placeholder, placeholder_in_targets
from wizard.core.providers import PRESETS, Answers, Preset
from wizard.core.results import Advice, Check, DomainReport

if TYPE_CHECKING:
    from wizard.core.diagnosis.causes import Evidence

MAX_NAMES_SHOWN = 8


class Context(Protocol):
    """What the diagnosis needs to know about the run (VerifyOptions has these)."""

    @property
    def platform(self) -> str | None: ...
    @property
    def method(self) -> str | None: ...
    @property
    def mdm(self) -> str | None: ...
    @property
    def mdm_answers(self) -> Answers: ...


def diagnose(report: DomainReport, context: Context) -> None:
    """Fail `config` when a placeholder is left in, give each warning and failure its cause
    and advice, and say what each range of OS versions would do."""
    _fail_on_placeholder(report)
    if any(check.status in ("warn", "fail") for check in report.checks):
        _explain(report, context)
    asked = context.mdm or report.mdm
    report.os_verdicts = os_verdicts(report, PRESETS[asked] if asked else None)


def _explain(report: DomainReport, context: Context) -> None:
    _describe_certificates(report)
    # Only a warning or failure needs the causes, and the generators their fixes quote.
    from wizard.core.diagnosis.causes import Evidence, cause_for

    preset = _words_of(context.mdm, report.mdm)
    final = report.final_hop()
    for check in report.checks:
        if check.status not in ("warn", "fail") or check.code is None:
            continue
        entry = remedy_for(check.code, preset)
        portal_message = preset.portal_messages.get(check.code) if preset else None
        portal = preset.portal if portal_message and preset else None
        evidence = Evidence(report, check, final, context.method)
        cause = cause_for(evidence)
        if cause is None:
            check.advice = Advice(entry.problem, entry.fix, portal_message, portal)
            continue
        check.cause = cause.id
        extra = _platform_text(cause.id, cause.platform_fix, evidence, context)
        fix = f"{cause.fix} {extra}" if extra else cause.fix
        problem = cause.problem
        # A cause names what answered; whether newer devices still have Apple Business
        # Manager's fallback depends on the status: an HTTP error leaves it, a page
        # answering 200 defeats it.
        if check.code == Code.BAD_STATUS and evidence.status and evidence.status >= 400:
            problem += f" {ABM_FALLBACK}"
        elif cause.id == "catch_all_page" and evidence.status == 200:
            problem += f" {FALLBACK_DEFEATED}"
        check.advice = Advice(problem, fix, portal_message, portal)


def _words_of(asked: str | None, recognised: str | None) -> Preset | None:
    """The MDM whose words the advice uses (its console, its portal's messages): the one
    asked for, else the one the domain points at; None, and generic words, when neither is
    known: an admin of another MDM must not be sent to JumpCloud's portal."""
    name = asked or recognised
    return PRESETS[name] if name else None


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
    configs = [check for check in report.checks if check.id == CheckId.CONFIG]
    for check in configs:
        if check.status != "fail":
            check.status, check.code, check.summary = "fail", Code.BAD_CONFIG, summary
    if not configs:
        report.checks.append(Check(CheckId.CONFIG, "fail", summary, Code.BAD_CONFIG))


def _describe_certificates(report: DomainReport) -> None:
    chained = [hop for hop in report.hops if hop.peer_chain]
    if not chained:
        return
    # cryptography only after a failed handshake: a passing run never loads it.
    from wizard.core.diagnosis.certificates import covered_names, summarise_chain

    for hop in chained:
        hop.certificates = summarise_chain(hop.peer_chain)
    entries = chained[-1].certificates or []
    for check in report.checks:
        if check.id != CheckId.CONNECT or check.status != "fail" or not entries:
            continue
        if check.code == Code.TLS_HOSTNAME_MISMATCH:
            names = covered_names(entries)
            shown = ", ".join(names[:MAX_NAMES_SHOWN]) or "no DNS names"
            more = (
                f" and {len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else ""
            )
            check.summary += f"; it covers: {shown}{more}"
        elif check.code == Code.TLS_UNTRUSTED:
            leaf = entries[0]
            check.summary += (
                f"; the server sent {len(entries)} certificate"
                + ("s" if len(entries) != 1 else "")
                + f", the first issued by {leaf.issuer or 'an unnamed issuer'}"
            )


def _platform_text(cause_id: str, kind: str | None, e: Evidence, context: Context) -> str | None:
    if kind is None:
        return None
    # Here with the causes: the generators (quoted for a directive) load on a failure only.
    from wizard.core.diagnosis import platform_fixes
    from wizard.core.diagnosis.causes import cache_hit, waf_signal

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
    preset = PRESETS[context.mdm] if context.mdm else None
    target = preset.target(context.mdm_answers) if preset else None
    # A wrong type is fixed where the file is served, whatever the setup meant to do.
    method = "self-host" if cause_id == "mime_not_set" else context.method
    if method is None and target is not None:
        method = "redirect"
    if method is None:
        return None
    for platform in dict.fromkeys(p for p in (answered, context.platform) if p):
        quote = platform_fixes.directive_quote(
            platform, method, domain=e.report.domain, target=target
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
