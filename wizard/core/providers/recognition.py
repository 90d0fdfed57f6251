"""The MDM a redirect target or BaseURL belongs to, recognised from its host and path: every
`verify` names it, with or without --mdm."""

from __future__ import annotations

from urllib.parse import urlsplit

from wizard.core.providers.presets import (
    FLEET_PATH,
    INTUNE_HOSTS,
    IVANTI_BASE_PATH,
    JAMF_PATHS,
    JUMPCLOUD_HOST,
    MANAGEENGINE_HOST,
)


def recognise(url: str) -> str | None:
    """The preset a redirect target or BaseURL belongs to, or None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path.rstrip("/")
    if host == JUMPCLOUD_HOST or host.endswith(".jumpcloud.com"):
        return "jumpcloud"
    if host in INTUNE_HOSTS.values():
        return "intune"
    if any(path.endswith(p) for p in JAMF_PATHS.values()) or host.endswith(".jamfcloud.com"):
        return "jamf"
    if FLEET_PATH in path:
        return "fleet"
    if MANAGEENGINE_HOST.match(host):
        return "manageengine"
    if path.startswith(IVANTI_BASE_PATH):
        return "ivanti"
    return None


def recognise_chain(targets: list[str], base_url: str | None) -> str | None:
    """The MDM the redirect targets point at (first recognised), else the BaseURL's."""
    for url in [*targets, *([base_url] if base_url else [])]:
        if found := recognise(url):
            return found
    return None
