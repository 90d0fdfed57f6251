"""Turn what an admin pastes (an e-mail, a URL, a bare name) into the domain a device asks.

An Apple device splits the Managed Apple Account at the last `@` and requests
`https://<domain>/.well-known/com.apple.remotemanagement`, so the domain must be a
fully qualified host name. Anything else is refused here, before any network work.
"""

from __future__ import annotations

import ipaddress
import re

import idna

from wizard.core.shown import argument

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
# Refuse absurd input before handing it to the IDNA codec, whose cost grows with length.
MAX_INPUT_LENGTH = 2048

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ORG_ID = re.compile(r"^[0-9a-f]{24}$")


class InvalidInput(ValueError):
    """Input an admin typed that cannot be used; the message is one line, fit to show."""


def normalise_domain(text: str) -> str:
    """Return the lower-case ASCII (IDNA) host name in `text`, or raise InvalidInput.

    Accepts `user@example.com`, `https://Example.com:443/path?q`, `example.com.` and
    internationalised names; rejects IP addresses, single-label names and non-hostnames.
    """
    shown = argument(text, 80)
    raw = text.strip()
    if not raw:
        raise InvalidInput("empty target: give a domain, a URL or a Managed Apple Account e-mail")
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidInput(f"target is too long to be a domain ({len(raw)} characters)")
    if any(ch.isspace() for ch in raw):
        raise InvalidInput(f"{shown} contains spaces; a domain cannot")

    host = _SCHEME.sub("", raw)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rpartition("@")[2]
    if host.startswith("["):
        raise InvalidInput(f"{shown} is an IP address; devices need a domain name")
    host = re.sub(r":\d*$", "", host)
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise InvalidInput(f"{shown} has no domain in it")
    if _is_ip_address(host):
        raise InvalidInput(f"{shown} is an IP address; devices need a domain name")

    _check_lengths(host, shown)
    try:
        ascii_name = idna.encode(host, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise InvalidInput(f"{shown} is not a valid host name") from None

    _check_lengths(ascii_name, shown)
    labels = ascii_name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidInput(f"{shown} is not a valid host name")
    if len(labels) < 2:
        raise InvalidInput(f"{shown} is a single-label name; devices need a fully qualified domain")
    if labels[-1].isdigit() or _is_ip_address(ascii_name):
        raise InvalidInput(f"{shown} is not a valid host name")
    return ascii_name


def _check_lengths(name: str, shown: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"{shown} is {len(name)} characters; a domain name has at most {MAX_NAME_LENGTH}"
        )
    longest = max(len(label) for label in name.split("."))
    if longest > MAX_LABEL_LENGTH:
        raise InvalidInput(
            f"{shown} has a label of {longest} characters; a label has at most {MAX_LABEL_LENGTH}"
        )


def validate_org_id(text: str) -> str:
    """Return a JumpCloud organization ID (24 lowercase hex characters) or raise InvalidInput."""
    value = text.strip()
    if not _ORG_ID.match(value):
        raise InvalidInput(
            f"organization ID {argument(value, 80)} is malformed: JumpCloud IDs are "
            "24 lowercase hex characters (DEVICE MANAGEMENT > MDM shows yours)"
        )
    return value


def is_valid_org_id(text: str) -> bool:
    return bool(_ORG_ID.match(text.strip()))


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
