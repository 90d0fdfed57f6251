"""The prerequisites checklist (from JumpCloud's guide and Apple's requirements), as data,
and the live probe for the items the program can check itself."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Literal

import httpx

from wizard.core.verify.connect_to import ConnectTo, find_rule
from wizard.core.verify.tls import classify_connect_error, make_ssl_context
from wizard.core.verify.transport import make_client

Automatic = Literal["resolves", "https", "certificate"]
CUSTOM_CA_NOTE = "not checked: a custom CA is in use"


@dataclass(frozen=True)
class Prerequisite:
    id: str
    title: str
    explanation: str
    where: str
    jumpcloud_only: bool = False
    automatic: Automatic | None = None


PREREQUISITES: tuple[Prerequisite, ...] = (
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
        "accounts_linked",
        "The accounts are linked to JumpCloud users",
        "JumpCloud must know which Managed Apple Account belongs to which JumpCloud user, or "
        "enrollment cannot be tied to the user. The MAID import script associates them.",
        "JumpCloud Admin Portal: run the MAID Import Script (JumpCloud help: 'Run the MAID "
        "Import Script').",
        jumpcloud_only=True,
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
    Prerequisite(
        "personal_devices_allowed",
        "JumpCloud allows enrolling personal devices",
        "Without it users do not see 'Enroll Your iOS Device' in the User Portal and "
        "enrollment is refused.",
        "JumpCloud Admin Portal > DEVICE MANAGEMENT > MDM > Apple: turn on 'Allow users to "
        "enroll personal mobile devices'.",
        jumpcloud_only=True,
    ),
    Prerequisite(
        "os_versions",
        "Devices run iOS/iPadOS 15 or later",
        "Account-driven user enrollment works on iOS/iPadOS 15+, and on 18+ it is the only "
        "way to enroll personal devices. macOS and visionOS user enrollment are not supported "
        "by JumpCloud.",
        "Settings > General > About on the device.",
    ),
)


# For every MDM but JumpCloud: the OS versions as Apple states them, without JumpCloud's
# limits (Apple: account-driven user enrollment needs iOS/iPadOS 15 or macOS 14).
OS_VERSIONS_ANY_MDM = Prerequisite(
    "os_versions",
    "Devices run an OS version your MDM supports",
    "Account-driven user enrollment needs iOS/iPadOS 15 or macOS 14 or later (Apple); on "
    "iOS/iPadOS 18 and later it is the only way to enroll personal devices. Your MDM may "
    "support fewer platforms.",
    "Settings > General > About on the device; your MDM's documentation.",
)


def prerequisites_for(provider: str) -> tuple[Prerequisite, ...]:
    """Apple's items, then the MDM's own console steps (JumpCloud's are in the list)."""
    if provider == "jumpcloud":
        return PREREQUISITES
    from wizard.core.providers.presets import PRESETS

    shared = tuple(
        OS_VERSIONS_ANY_MDM if p.id == "os_versions" else p
        for p in PREREQUISITES
        if not p.jumpcloud_only
    )
    preset = PRESETS.get(provider)
    own = tuple(
        Prerequisite(f"{provider}_{number}", step.title, "", step.where)
        for number, step in enumerate(preset.prerequisites if preset else (), 1)
    )
    return own + shared


@dataclass(frozen=True)
class SiteProbe:
    """Live answers for the automatic items of one domain: True, False, or None (not reached)."""

    domain: str
    resolves: bool | None
    https: bool | None
    certificate: bool | None
    detail: str
    # Why `certificate` is None although HTTPS answered, e.g. a custom CA was trusted.
    certificate_note: str | None = None

    def answer(self, kind: Automatic) -> bool | None:
        return {"resolves": self.resolves, "https": self.https, "certificate": self.certificate}[
            kind
        ]


async def probe_site(
    domain: str,
    timeout: float = 10.0,
    ca_bundle: str | None = None,
    connect_to: tuple[ConnectTo, ...] = (),
) -> SiteProbe:
    """Resolve `domain`, then GET https://domain/ with the device's TLS rules (any status).

    A host covered by a --connect-to rule is not looked up (`resolves` is None): the rule
    says where it is. Under a custom CA, a certificate that passes proves nothing about
    public trust, so `certificate` is None with a note saying so."""
    resolves: bool | None = True
    try:
        async with asyncio.timeout(timeout):
            if find_rule(connect_to, domain, 443) is not None:
                resolves = None
            else:
                try:
                    loop = asyncio.get_running_loop()
                    await loop.getaddrinfo(domain, 443, type=socket.SOCK_STREAM)
                except (socket.gaierror, UnicodeError):
                    return SiteProbe(domain, False, None, None, f"{domain} does not resolve")
            async with make_client(make_ssl_context(ca_bundle), connect_to) as client:
                try:
                    response = await client.get(f"https://{domain}/")
                    await response.aclose()
                except httpx.HTTPError as error:
                    classified = classify_connect_error(error, domain)
                    # A TLS complaint means the server did answer on 443, with a bad certificate.
                    answered = classified.code.startswith("tls_")
                    certificate = False if answered else None
                    note = None
                    if ca_bundle and classified.code in ("tls_untrusted", "connect_failed"):
                        # Trust was judged against the custom CA, not the public roots.
                        certificate, note = None, CUSTOM_CA_NOTE
                    return SiteProbe(
                        domain, resolves, answered, certificate, classified.summary, note
                    )
            summary = f"HTTPS answered {response.status_code}"
            if ca_bundle:
                return SiteProbe(domain, resolves, True, None, summary, CUSTOM_CA_NOTE)
            return SiteProbe(domain, resolves, True, True, summary)
    except TimeoutError:
        return SiteProbe(domain, resolves, False, None, f"no HTTPS answer within {timeout:g} s")
