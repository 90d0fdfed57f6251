"""Stand-in values left in a document or redirect target: the admin copied an example and did
not fill it in, or typed the domain twice (`.com.com`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from wizard.core.results import DomainReport

# Each pattern with what to call it in a summary.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"your[-_ ]?(aad|azure|entra)?[-_ ]?"
            r"(tenant|org|organi[sz]ation|domain|company|mdm|server)[-_ ]?(id|name|url)?",
            re.I,
        ),
        "a 'Your...' stand-in",
    ),
    # A value that is only X's (XXXXX, xxxxxxxx-xxxx-...); inside a random token it is not one.
    (re.compile(r"(?<![a-z0-9])x{4,}(?![a-z0-9])", re.I), "a run of X"),
    (re.compile(r"<[^<>]*>"), "an <...> stand-in"),
    (re.compile(r"\{[^{}]*\}"), "a {...} stand-in"),
)
# RFC 2606 names kept for documentation; a real BaseURL or target never uses them.
_EXAMPLE_HOST = re.compile(r"(^|\.)example\.(com|net|org)$", re.I)
# The last label typed twice: example.com.com, contoso.co.uk.uk.
_DOUBLED_SUFFIX = re.compile(r"\.([a-z]{2,})\.\1$", re.I)


def find_placeholder(text: str, checked_domain: str | None = None) -> str | None:
    """What looks like a placeholder in `text` (a URL or value), quoted, or None.

    A host within `checked_domain` (the domain being verified, its www. form...) is the
    admin's own, not a name typed into a target: its name is no placeholder even when it is
    example.com."""
    decoded = unquote(text)
    for pattern, kind in _PATTERNS:
        match = pattern.search(decoded)
        if match:
            return f"{kind} ({match.group(0)!r})"
    host = _host_of(decoded)
    if host and checked_domain and _within(host.lower(), checked_domain.lower()):
        return None
    if host and _EXAMPLE_HOST.search(host):
        return f"an example name ({host!r})"
    if host and _DOUBLED_SUFFIX.search(host):
        return f"a doubled suffix ({host!r})"
    return None


def placeholder_in_targets(report: DomainReport) -> str | None:
    """'the redirect target URL holds ...' for the first target with a placeholder, or None."""
    for target in report.redirect_targets():
        if hit := find_placeholder(target, report.domain):
            return f"the redirect target {target} holds {hit}"
    return None


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}") or domain.endswith(f".{host}")


def _host_of(text: str) -> str | None:
    if "://" not in text:
        return None
    try:
        return urlsplit(text).hostname
    except ValueError:
        return None
