"""The prerequisites checklist (from JumpCloud's guide and Apple's requirements), as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wizard.core.providers import PRESETS

Automatic = Literal["resolves", "https", "certificate"]


@dataclass(frozen=True)
class Prerequisite:
    id: str
    title: str
    explanation: str
    where: str
    automatic: Automatic | None = None


# Apple's items, for every MDM; a preset adds its console steps (see `prerequisites_for`).
APPLE_ITEMS: tuple[Prerequisite, ...] = (
    Prerequisite(
        "managed_accounts",
        "Managed Apple Accounts exist for your users",
        "Each user signs in on the device with a Managed Apple Account (formerly Managed Apple "
        "ID). Create them by federating Apple Business Manager with your identity provider "
        "(Google Workspace, Microsoft Entra ID) or manually in Apple Business Manager or Apple "
        "School Manager.",
        "Apple Business Manager > Preferences > Managed Apple Accounts (federation), or Users.",
    ),
    Prerequisite(
        "abm_allow_any",
        "Managed Apple Accounts may sign in on any device",
        "Apple Business Manager must let Managed Apple Accounts sign in to devices it does not "
        "own, so that a personal iPhone can enroll with one.",
        "Apple Business Manager > Access Management > Apple Services: set Allow Managed Apple "
        "Account to Any.",
    ),
    Prerequisite(
        "domain_verified",
        "Sign-in domain verified in Apple Business Manager",
        "The domain you configure here must be the part after @ in the users' Managed Apple "
        "Accounts, and Apple Business Manager must show it as verified.",
        "Apple Business Manager > Preferences > Managed Apple Accounts > Domains.",
    ),
    Prerequisite(
        "name_resolves",
        "The domain resolves in DNS",
        "Devices look up the exact domain (not www.) before anything else.",
        "Your DNS provider: an A/AAAA or CNAME record for the domain itself.",
        automatic="resolves",
    ),
    Prerequisite(
        "https_answers",
        "A web server on that exact name answers HTTPS GET",
        "The well-known URL is fetched over HTTPS from the domain itself; a server must answer "
        "on port 443 for that name.",
        "Your web server or hosting provider, for the apex name (example.com).",
        automatic="https",
    ),
    Prerequisite(
        "certificate_trusted",
        "Its certificate is publicly trusted and valid",
        "Devices accept only a certificate from a publicly trusted CA that matches the name and "
        "has not expired (see Apple's list of trusted root certificates).",
        "Your certificate provider (e.g. Let's Encrypt); serve the full chain.",
        automatic="certificate",
    ),
    # As Apple states it (account-driven user enrollment needs iOS/iPadOS 15 or macOS 14); a
    # preset that supports fewer platforms says so instead (Preset.os_versions).
    Prerequisite(
        "os_versions",
        "Devices run an OS version your MDM supports",
        "Account-driven user enrollment needs iOS/iPadOS 15 or macOS 14 or later (Apple); on "
        "iOS/iPadOS 18 and later it is the only way to enroll personal devices. Your MDM may "
        "support fewer platforms.",
        "Settings > General > About on the device; your MDM's documentation.",
    ),
)


def prerequisites_for(provider: str) -> tuple[Prerequisite, ...]:
    """The MDM's own console steps (those that follow an item of Apple's, after it; the
    others first), with Apple's items. A step without an id is ticked under its position
    among the preset's steps ("intune_1"), so steps are appended, never inserted."""
    preset = PRESETS[provider]
    own = [
        (
            step.after,
            Prerequisite(
                step.id or f"{provider}_{number}", step.title, step.explanation, step.where
            ),
        )
        for number, step in enumerate(preset.prerequisites, 1)
    ]
    items = [item for after, item in own if after is None]
    for shared in APPLE_ITEMS:
        if shared.id == "os_versions" and preset.os_versions is not None:
            step = preset.os_versions
            shared = Prerequisite(shared.id, step.title, step.explanation, step.where)
        items.append(shared)
        items += [item for after, item in own if after == shared.id]
    return tuple(items)
