"""What a URL placed into an artifact may be: an absolute https URL with a host name, made
only of the characters RFC 3986 allows, and nothing the artifacts' syntaxes cannot carry.

Every character outside RFC 3986's set (space, controls, non-ASCII, `"`, `<`, `>`, `\\`,
`^`, backtick, `{`, `|`, `}`) must be percent-encoded in a URL anyway, so refusing it
loses nothing a device could use, and it is exactly the set that breaks out of quoted
strings in server configurations.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

from wizard.core.shown import argument

# RFC 3986 section 2: unreserved, sub-delims, and the gen-delims a URL without a fragment
# or an IP literal host uses; `%` only as the start of a percent-encoding (section 2.1).
_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_SUB_DELIMS = "!$&'()*+,;="
ALLOWED = frozenset(_UNRESERVED + _SUB_DELIMS + ":/?@%")
MAX_URL_LENGTH = 2048
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def url_problem(url: str, label: str) -> str | None:
    """Why `url` cannot go into an artifact, as one line naming `label` (the flag it came
    from), or None when it is an absolute https URL with a host name and safe characters."""
    shown = argument(url)
    if len(url) > MAX_URL_LENGTH:
        return f"{label} is {len(url)} characters long; a URL here has at most {MAX_URL_LENGTH}"
    for position, ch in enumerate(url):
        if ch in ALLOWED:
            continue
        if ch == "#":
            return (
                f"{label} {shown} has a fragment (#...): devices never send one, and the "
                "forwarded query would land inside it"
            )
        if ch in "[]":
            return f"{label} {shown} has an IP literal host ([...]); devices need a host name"
        return (
            f"{label} {shown} contains {argument(ch)} at position {position + 1}, which "
            "a URL cannot carry (RFC 3986); percent-encode it"
        )
    if url.endswith(("?", "&")):
        # Servers join the device's query differently after an empty query or a trailing
        # `&` (mod_rewrite drops both), so the Location would not be the one intended.
        return f"{label} {shown} ends with {argument(url[-1])}; leave the separator out"
    stray = _PERCENT.search(url)
    if stray:
        return (
            f"{label} {shown} has a % at position {stray.start() + 1} that does not start a "
            "percent-encoding (%XX); write a literal % as %25"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"{label} {shown} is not a valid URL"
    if parts.scheme != "https" or not parts.netloc:
        return f"{label} {shown} must be an https:// URL (devices follow only HTTPS)"
    host = (parts.hostname or "").removesuffix(".")
    if not host or not all(_HOST_LABEL.match(part) for part in host.split(".")):
        return f"{label} {shown} must name a host (letters, digits, hyphens and dots)"
    return None
