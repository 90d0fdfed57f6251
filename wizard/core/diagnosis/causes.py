"""The causes a warning or failure can have (`checks[].cause`): each id with the evidence that
decides it and its fix, in one place.

A cause is named only when the evidence in the response shows it, never guessed. The rows are
in order of precedence: the first row whose rule holds for a check is its one cause. A cached
answer comes first (purge, then look again: what the origin says now may differ).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from wizard.core.codes import CheckId, Code
from wizard.core.diagnosis.registered_domain import apex_to_www_hop
from wizard.core.placeholders import placeholder_in_targets
from wizard.core.protocol import WELL_KNOWN_FAILED, WELL_KNOWN_PATH
from wizard.core.results import Check, DomainReport, Hop

# Which platform-specific text the fix quotes (see platform_fixes).
PlatformFix = Literal["directive", "waf", "purge", "static", None]

# Hosts that cannot serve an extensionless file as application/json at all.
STATIC_HOSTS = frozenset({"github-pages"})
# Web servers' own error pages: a plain "not found", not a site's catch-all page.
_DEFAULT_ERROR_PAGE = re.compile(
    r"<center>nginx[^<]*</center>|The requested URL was not found on this server|"
    r"<h2>404 - File or directory not found\.</h2>|HTTP Error 404\.0 - Not Found|"
    r"Proudly Served by LiteSpeed",
    re.I,
)
_HTML = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<title|<!--|<meta|<div|<script)", re.I)
# HIT (Cloudflare, Fastly, Vercel), "Hit from cloudfront", TCP_HIT (Azure); Cloudflare's
# STALE, UPDATING and REVALIDATED are answers from its cache too.
_CACHE_HIT = re.compile(r"\bhit\b|tcp_hit|tcp_mem_hit|^(stale|updating|revalidated)\b", re.I)
_CLOUDFLARE_BLOCK = re.compile(
    r"Attention Required! \| Cloudflare|Sorry, you have been blocked|"
    r"<title>Just a moment\.\.\.</title>|/cdn-cgi/challenge-platform/",
    re.I,
)
_AKAMAI_DENIED = re.compile(r"<TITLE>Access Denied</TITLE>.*Reference&#32;&#35;", re.I | re.S)


@dataclass(frozen=True)
class Evidence:
    """What a rule may look at: the check, the report, and the final response's hop."""

    report: DomainReport
    check: Check
    final: Hop | None
    method: str | None

    def final_header(self, name: str) -> str | None:
        return self.final.header(name) if self.final else None

    @property
    def status(self) -> int | None:
        return self.final.status if self.final else None


def _failing(evidence: Evidence, *check_ids: CheckId) -> bool:
    return evidence.check.id in check_ids and evidence.check.status in ("warn", "fail")


def looks_like_html(hop: Hop | None) -> bool:
    """The body starts like an HTML page (a JSON document labelled text/html does not)."""
    if hop is None:
        return False
    if hop.body_excerpt and hop.body_excerpt.strip():
        return bool(_HTML.match(hop.body_excerpt))
    media = (hop.header("content-type") or "").split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


def cache_hit(hop: Hop | None) -> str | None:
    """The header showing the response came from a cache, as 'name: value', or None."""
    if hop is None:
        return None
    for name in (
        "cf-cache-status",
        "x-cache",
        "x-vercel-cache",
        "x-nf-cache-status",
        "x-cache-status",
    ):
        value = hop.header(name)
        if value and _CACHE_HIT.search(value):
            return f"{name}: {value}"
    age = hop.header("age")
    if age and age.strip().isdigit() and int(age) > 0:
        return f"age: {age.strip()}"
    return None


def waf_signal(hop: Hop | None) -> str | None:
    """The header or page that shows a bot challenge or firewall block, or None."""
    if hop is None:
        return None
    body = hop.body_excerpt or ""
    if (hop.header("cf-mitigated") or "").strip().lower() == "challenge":
        return "cf-mitigated: challenge"
    if hop.header("x-vercel-mitigated"):
        return f"x-vercel-mitigated: {hop.header('x-vercel-mitigated')}"
    if hop.header("x-amzn-waf-action"):
        return f"x-amzn-waf-action: {hop.header('x-amzn-waf-action')}"
    if hop.header("x-sucuri-block"):
        return f"x-sucuri-block: {hop.header('x-sucuri-block')}"
    if hop.status in (403, 429, 503) and hop.header("cf-ray") and _CLOUDFLARE_BLOCK.search(body):
        return "Cloudflare's block page"
    if hop.status == 403 and _AKAMAI_DENIED.search(body):
        return "Akamai's Access Denied page"
    return None


def _cdn_cached(e: Evidence) -> bool:
    checks = (CheckId.STATUS, CheckId.CONTENT_TYPE, CheckId.BODY, CheckId.JSON, CheckId.CONFIG)
    return _failing(e, *checks) and cache_hit(e.final) is not None


def _apple_refusal(e: Evidence) -> bool:
    return _failing(e, CheckId.STATUS) and WELL_KNOWN_FAILED in e.check.summary


def _waf_challenge(e: Evidence) -> bool:
    return (
        _failing(e, CheckId.STATUS, CheckId.CONTENT_TYPE, CheckId.JSON)
        and waf_signal(e.final) is not None
    )


def _placeholder(e: Evidence) -> bool:
    if _failing(e, CheckId.CONFIG) and e.check.code == Code.BAD_CONFIG:
        return "placeholder" in e.check.summary
    if _failing(e, CheckId.CONNECT, CheckId.REDIRECTS):
        return placeholder_in_targets(e.report) is not None
    return False


def _static_host(e: Evidence) -> bool:
    return (
        _failing(e, CheckId.STATUS, CheckId.CONTENT_TYPE)
        and e.final is not None
        and e.final.served_by in STATIC_HOSTS
    )


def _apex_to_www(e: Evidence) -> bool:
    return e.check.status == "fail" and apex_to_www_hop(e.report) is not None


def _catch_all_page(e: Evidence) -> bool:
    if not _failing(e, CheckId.STATUS, CheckId.CONTENT_TYPE, CheckId.JSON):
        return False
    if e.status not in (200, 404) or not looks_like_html(e.final):
        return False
    excerpt = e.final.body_excerpt or "" if e.final else ""
    return not (e.status == 404 and _DEFAULT_ERROR_PAGE.search(excerpt))


def _mime_not_set(e: Evidence) -> bool:
    return (
        _failing(e, CheckId.CONTENT_TYPE)
        and e.report.document is not None
        and not looks_like_html(e.final)
    )


def _servers_not_array(e: Evidence) -> bool:
    document = e.report.document
    return (
        _failing(e, CheckId.JSON)
        and isinstance(document, dict)
        and isinstance(document.get("Servers"), dict)
    )


def _wrong_key_case(e: Evidence) -> bool:
    if not _failing(e, CheckId.JSON, CheckId.CONFIG):
        return False
    document = e.report.document
    if not isinstance(document, dict):
        return False
    if _miscased(document, ("Servers",)):
        return True
    servers = document.get("Servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    return isinstance(first, dict) and _miscased(first, ("Version", "BaseURL"))


def _miscased(mapping: dict[object, object], expected: tuple[str, ...]) -> bool:
    """A key that is one of `expected` in another case, where the exact one is missing."""
    keys = [key for key in mapping if isinstance(key, str)]
    return any(
        name not in mapping and any(key.lower() == name.lower() for key in keys)
        for name in expected
    )


def _status_is(*statuses: int) -> Callable[[Evidence], bool]:
    def rule(e: Evidence) -> bool:
        return _failing(e, CheckId.STATUS) and e.status in statuses

    return rule


def _server_error(e: Evidence) -> bool:
    return _failing(e, CheckId.STATUS) and e.status is not None and 500 <= e.status < 600


def _certificate(kind: str) -> Callable[[Evidence], bool]:
    def rule(e: Evidence) -> bool:
        if not _failing(e, CheckId.CONNECT) or e.check.code != Code.TLS_UNTRUSTED:
            return False
        for hop in reversed(e.report.hops):
            if hop.certificates:
                return hop.certificates[0].cause == kind
        return False

    return rule


@dataclass(frozen=True)
class Cause:
    id: str
    rule: Callable[[Evidence], bool]
    problem: str
    fix: str
    platform_fix: PlatformFix = None


CAUSES: tuple[Cause, ...] = (
    Cause(
        "cdn_cached",
        _cdn_cached,
        "This failing answer came from a cache, not from the server as it is now.",
        f"Purge the cached URL, then bypass the cache for {WELL_KNOWN_PATH} "
        "so a stale answer (often a 404 from before the file existed) is never served again; "
        "then check again.",
        "purge",
    ),
    Cause(
        "apple_refusal",
        _apple_refusal,
        f"The server refuses devices on purpose with {WELL_KNOWN_FAILED}; the device shows "
        "its message to the user.",
        "If the refusal is not intended, change the service's rule that sends it; the message "
        "quoted in the summary is what users see.",
    ),
    Cause(
        "waf_challenge",
        _waf_challenge,
        "A bot challenge or firewall block answered instead of the site: a device is not a "
        "browser and cannot pass it.",
        f"Add a rule that skips the challenge and firewall for exactly {WELL_KNOWN_PATH}.",
        "waf",
    ),
    Cause(
        "placeholder",
        _placeholder,
        "The document or redirect target still holds a placeholder or a typo (a stand-in "
        "value, an example.com name or a doubled suffix such as .com.com).",
        "Put in the real value (your tenant or organization ID, your MDM's host); a doubled "
        "suffix may point at a stranger's host, which would then receive users' sign-ins.",
    ),
    Cause(
        "apex_to_www",
        _apex_to_www,
        "The domain redirects to another host of the same registered domain (its www. form, "
        "or back) before the well-known rule runs, and the chain then fails.",
        f"Exempt {WELL_KNOWN_PATH} from the host redirect (put the "
        "well-known rule first), so the exact sign-in domain answers itself.",
        "directive",
    ),
    Cause(
        "static_host",
        _static_host,
        "This host serves static files only: it cannot serve an extensionless file as "
        "application/json (and GitHub Pages drops dot-folders without .nojekyll).",
        "Serve this path from something that can set the type or redirect.",
        "static",
    ),
    Cause(
        "self_signed",
        _certificate("self_signed"),
        "The server sends a self-signed certificate; devices trust only public CAs.",
        "Install a certificate from a public CA (e.g. Let's Encrypt via certbot) for this name.",
    ),
    Cause(
        "missing_intermediate",
        _certificate("missing_intermediate"),
        "The server sends its certificate without the intermediate certificate that links it "
        "to a public root (the certificate names its issuer's URL, as public CAs' do).",
        "Serve the full chain: leaf then intermediates (fullchain.pem, not cert.pem; NGINX "
        "ssl_certificate, Apache SSLCertificateFile with the chain appended).",
    ),
    Cause(
        "private_ca",
        _certificate("private_ca"),
        "The certificate chains to a CA that is not publicly trusted (an internal or "
        "corporate CA); personal devices do not trust it.",
        "Use a certificate from a public CA for this name; an internal CA works only on "
        "devices that already trust it.",
    ),
    Cause(
        "servers_not_array",
        _servers_not_array,
        '"Servers" is an object; it must be an array of one object (a shape one vendor\'s '
        "help page shows).",
        'Wrap it in brackets: {"Servers": [{"Version": "mdm-byod", "BaseURL": "..."}]}.',
    ),
    Cause(
        "wrong_key_case",
        _wrong_key_case,
        "A key has the wrong case (Servers, Version and BaseURL are spelled exactly so).",
        'Use exactly "Servers", "Version" and "BaseURL"; download the document again rather '
        "than retyping it.",
    ),
    Cause(
        "catch_all_page",
        _catch_all_page,
        "An HTML page answered where the document should be: the file or rule is not in place, "
        "or an application route (a CMS, a shop, a single-page app) answers first; in a "
        "Redirect setup, the redirect did not fire.",
        "Put the well-known rule (or file) where the server meets it before any catch-all "
        "route, and reload the server.",
        "directive",
    ),
    Cause(
        "mime_not_set",
        _mime_not_set,
        "The document is there, but served with the wrong Content-Type.",
        "Serve this extensionless file as application/json.",
        "directive",
    ),
    Cause(
        "login_required",
        _status_is(401),
        "The site is behind a login (401): the device cannot sign in to fetch the document.",
        f"Exempt {WELL_KNOWN_PATH} from the login (basic auth, SSO proxy, staging password).",
    ),
    Cause(
        "forbidden",
        _status_is(403),
        "The server refuses the request (403).",
        f"Allow anonymous GET of {WELL_KNOWN_PATH} (file permissions, "
        "deny rules for dot-folders, IP allow-lists).",
    ),
    Cause(
        "not_found",
        _status_is(404, 410),
        "Nothing is published at the well-known URL.",
        "Put the file (Self-Host) or redirect rule (Redirect) in place for this exact host; "
        "check that the server does not hide dot-folders.",
        "directive",
    ),
    Cause(
        "server_error",
        _server_error,
        "The server failed while answering (5xx).",
        "Look at the server's error log at the time of the check; a static file or redirect "
        "should not need the application at all.",
    ),
)

BY_ID: dict[str, Cause] = {cause.id: cause for cause in CAUSES}


def cause_for(evidence: Evidence) -> Cause | None:
    """The one cause of a warning or failure, by precedence, or None when none is shown."""
    if evidence.check.status not in ("warn", "fail"):
        return None
    return next((cause for cause in CAUSES if cause.rule(evidence)), None)
