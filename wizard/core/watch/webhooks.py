"""Webhook URLs: which are accepted, and how one is shown.

A webhook URL is a secret: its path (or query) is the token that lets anyone post to the
channel. So it is shown only as its scheme and host (`https://hooks.example.com/...`), in
every message, error and listing (`hidden`), and saved apart from the setup file, mode 0600
(`wizard.core.setups.webhooks`): never in the history, a report or the setup file.

`https://` only, except `http://` to a loopback address (a relay on the same machine, which
nobody can listen to on the way).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.shown import printable

MAX_URL_LENGTH = 2048
LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def hidden(url: str) -> str:
    """The URL with everything after the host hidden (`https://hooks.example.com/...`);
    user and password too. Safe to print: the host is shown escaped."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(a webhook URL)"
    if not parts.scheme or not host:
        return "(a webhook URL)"
    shown_host = f"[{host}]" if ":" in host else host
    if port is not None:
        shown_host += f":{port}"
    return printable(f"{parts.scheme.lower()}://{shown_host}/...")


def check_webhook_url(url: str, label: str = "webhook URL") -> str:
    """`url` when it can be posted to; InvalidInput naming the URL only as `hidden` shows
    it otherwise. `https://` anywhere, `http://` only to a loopback address."""
    shown = hidden(url)
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"{label} {shown} is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidInput(
            f"{label} {shown} contains a space or control character; copy the URL again"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise InvalidInput(f"{label} {shown} is not a valid URL") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise InvalidInput(
            f"{label} {shown} must be an https:// URL (http:// only to this machine, "
            "e.g. http://127.0.0.1:PORT/...)"
        )
    if scheme == "http" and not is_loopback(host):
        raise InvalidInput(
            f"{label} {shown} must be https://: over http:// anyone on the way could read the "
            "URL, which is the webhook's secret (http:// is accepted only to a loopback "
            "address such as 127.0.0.1, for a local relay)"
        )
    return url


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
