"""JumpCloud's side of the prerequisites, read through its API with the admin's key: the key
is accepted, it reaches the setup's organization, personal enrollment is allowed, an ADUE
configuration exists, service discovery is on, and every active user has a Managed Apple
Account inside the setup's domains. Reads only: nothing here writes to JumpCloud."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from wizard.core.jumpcloud.access import JumpCloudAccess
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind, OrgMismatch, OrgNotChosen
from wizard.core.jumpcloud.mdm import AppleMdm
from wizard.core.jumpcloud.side import JumpCloudSide, Read, read_side
from wizard.core.jumpcloud.users import User, UserLinks, UserRef, link_report
from wizard.core.prerequisites.checks import PrereqCheck, skipped
from wizard.core.providers.jumpcloud import PORTAL_MDM
from wizard.core.shown import printable

# In the order `prereqs` lists them; `accounts_linked` and `personal_enrollment` are also
# checklist items (the JumpCloud preset's console steps) and take their place there.
JUMPCLOUD_CHECKS = (
    "jumpcloud_api",
    "jumpcloud_org",
    "accounts_linked",
    "personal_enrollment",
    "adue_config",
    "service_discovery",
)
HOW_TO_GIVE_A_KEY = (
    "set $JUMPCLOUD_API_KEY, or give --api-key-file FILE (its first line), or run on a "
    "terminal to be asked; a key is made in the JumpCloud Admin Portal under your name (top "
    "right) > My API Key"
)
# How many users a warning names in its summary; --json lists them all.
NAMED_IN_SUMMARY = 10
LINK_ACCOUNTS = (
    "link each user to their Managed Apple Account: `adue-wizard maid plan --setup NAME` "
    "(or the wizard's Link accounts on the Prerequisites step)"
)


@dataclass(frozen=True)
class JumpCloudFindings:
    checks: list[PrereqCheck]
    # The organization the checks were made on (the key's own, when none was given).
    org_id: str | None = None
    users: dict[str, Any] | None = None
    # JumpCloud's ADUE configuration as read, for comparing with what a domain serves.
    redirect_url: str | None = None
    json_config: str | None = None


# What to do when JumpCloud took the key but not the organization.
_ORG_REMEDIES = {
    ErrorKind.ORG_MISMATCH: "use the organization ID of the organization this key belongs to "
    "(JumpCloud Admin Portal > Settings > Organization Profile), or a key of that organization",
    ErrorKind.ORG_NOT_CHOSEN: "give the organization to check with --org-id, or save it with "
    "the setup",
}


async def check_jumpcloud(
    access: JumpCloudAccess | None, org_id: str | None, domains: tuple[str, ...]
) -> JumpCloudFindings:
    """Every JumpCloud check; never raises for what JumpCloud (or the network) answered."""
    if access is None:
        return JumpCloudFindings(
            skipped(JUMPCLOUD_CHECKS, "needs a JumpCloud API key", HOW_TO_GIVE_A_KEY), org_id
        )
    async with access.client() as client:
        try:
            connection = await client.connect(org_id)
        except (OrgMismatch, OrgNotChosen) as error:  # the key is good, the org is not
            accepted = PrereqCheck("jumpcloud_api", "pass", "JumpCloud accepted the key")
            org = PrereqCheck(
                "jumpcloud_org", "fail", str(error), _ORG_REMEDIES[error.kind], error.kind.value
            )
            return _unusable([accepted, org], org_id)
        except ApiError as error:
            code = ErrorKind.KEY_REFUSED.value if error.key_refused else None
            refused = PrereqCheck("jumpcloud_api", "fail", str(error), remedy_for(error), code)
            return _unusable([refused], org_id)
        acting = connection.organization
        reach = (
            f" (an MSP key for {len(connection.organizations)} organizations)"
            if connection.multi_tenant
            else ""
        )
        checks = [
            PrereqCheck("jumpcloud_api", "pass", f"JumpCloud accepted the key{reach}"),
            PrereqCheck(
                "jumpcloud_org",
                "pass",
                f'organization {acting.id} ("{printable(acting.name)}")'
                + ("" if org_id else ": the key's own organization"),
            ),
        ]
        side, users = await asyncio.gather(read_side(client, acting.id), _users(client))
    report: dict[str, Any] | None = None
    if isinstance(users, ApiError):
        checks.append(PrereqCheck("accounts_linked", "fail", str(users), remedy_for(users)))
    else:
        links = link_report(users, domains)
        report = links.to_json()
        checks.append(accounts_linked(links))
    checks += [*mdm_checks(side.apple_mdm), adue_config(side)]
    return JumpCloudFindings(
        checks,
        acting.id,
        report,
        redirect_url=side.redirect_url.value,
        json_config=side.json_config.value,
    )


async def _users(client: JumpCloudClient) -> list[User] | ApiError:
    try:
        return await client.users()
    except ApiError as error:
        return error


def _unusable(first: list[PrereqCheck], org_id: str | None) -> JumpCloudFindings:
    """When the key or the organization is unusable, the checks that need them are
    skipped, saying why, rather than failed once more each."""
    reason = (
        "not checked: the organization is not usable"
        if len(first) > 1
        else "not checked: JumpCloud's API is not usable"
    )
    done = {check.id for check in first}
    rest = skipped([c for c in JUMPCLOUD_CHECKS if c not in done], reason)
    return JumpCloudFindings(first + rest, org_id)


def remedy_for(error: ApiError) -> str | None:
    """What to do about an API failure, by its kind; None when the line says it all."""
    return {
        ErrorKind.KEY_REFUSED: "check the key and the region (--region us|eu|in, or "
        "--api-url): a key works only in its own region; " + HOW_TO_GIVE_A_KEY,
        ErrorKind.TLS_UNTRUSTED: "behind a TLS-inspecting proxy, put its CA certificate in a "
        "file named by $SSL_CERT_FILE",
        ErrorKind.PROXY: "check $HTTPS_PROXY (and $NO_PROXY)",
        ErrorKind.RATE_LIMITED: "JumpCloud is limiting requests: try again later, or allow "
        "more time with --timeout",
        ErrorKind.TIMEOUT: "allow more time with --timeout, or try again",
        ErrorKind.UNAVAILABLE: "JumpCloud is unavailable: try again later",
        ErrorKind.CONNECTION: "check this machine's network and $HTTPS_PROXY",
    }.get(error.kind)


def accounts_linked(links: UserLinks) -> PrereqCheck:
    """The counts, and the first users behind each problem (`users` in --json has all)."""
    status = links.status()
    counts = links.counts()
    summary = f"{counts['linked']} of {counts['active']} active users have a Managed Apple Account"
    problems = [
        (links.unlinked, "without one"),
        (links.outside_domains, "with an account outside the setup's domains"),
        (links.invalid, "with an account that is not an e-mail address"),
        (links.duplicates, "sharing an account with another user"),
    ]
    named: list[str] = []
    for refs, what in problems:
        if refs:
            summary += f"; {len(refs)} {what}"
            named += [_named(ref) for ref in refs]
    if named:
        more = len(named) - NAMED_IN_SUMMARY
        summary += ": " + ", ".join(named[:NAMED_IN_SUMMARY])
        summary += f" and {more} more (--json lists all)" if more > 0 else ""
    return PrereqCheck(
        "accounts_linked", status, summary, LINK_ACCOUNTS if status != "pass" else None
    )


def _named(ref: UserRef) -> str:
    return printable(ref.email or ref.user_id)


def mdm_checks(read: Read[AppleMdm]) -> list[PrereqCheck]:
    """personal_enrollment and service_discovery, from the Apple MDM's settings."""
    if read.error is not None:
        return [
            PrereqCheck("personal_enrollment", "fail", str(read.error), remedy_for(read.error)),
            PrereqCheck("service_discovery", "skip", "not checked: the Apple MDM was not read"),
        ]
    mdm = read.value
    if mdm is None:
        return [
            PrereqCheck(
                "personal_enrollment",
                "fail",
                "JumpCloud has no Apple MDM for this organization",
                f"{PORTAL_MDM}: set up Apple MDM (Apple's push certificate) first",
            ),
            PrereqCheck("service_discovery", "skip", "not checked: no Apple MDM"),
        ]
    checks = []
    if mdm.allow_mobile_user_enrollment:
        checks.append(
            PrereqCheck("personal_enrollment", "pass", "personal device enrollment is allowed")
        )
    else:
        checks.append(
            PrereqCheck(
                "personal_enrollment",
                "fail",
                "personal device enrollment is not allowed (allowMobileUserEnrollment is "
                f"{_shown(mdm.allow_mobile_user_enrollment)})",
                f"{PORTAL_MDM}: turn on 'Allow users to enroll personal mobile devices'",
            )
        )
    if mdm.service_discovery_enabled:
        checks.append(PrereqCheck("service_discovery", "pass", "service discovery is on"))
    else:
        checks.append(
            PrereqCheck(
                "service_discovery",
                "warn",
                "service discovery is off (serviceDiscoveryEnabled is "
                f"{_shown(mdm.service_discovery_enabled)}): on iOS/iPadOS 18.2 and later a "
                "device whose well-known URL fails cannot fall back to Apple Business Manager",
                f"{PORTAL_MDM} > iOS Enrollment: the account-driven enrollment settings",
            )
        )
    return checks


def adue_config(side: JumpCloudSide) -> PrereqCheck:
    """Both parts of the ADUE configuration readable: the redirect URL and the JSON."""
    for read in (side.redirect_url, side.json_config):
        if read.error is not None:
            return PrereqCheck("adue_config", "fail", str(read.error), remedy_for(read.error))
    redirect, config = side.redirect_url.value, side.json_config.value
    if redirect is None and config is None:
        return PrereqCheck(
            "adue_config",
            "fail",
            "JumpCloud has no account-driven enrollment configuration for this organization",
            f"{PORTAL_MDM} > iOS Enrollment: under Account-driven User Enrollment "
            "Configuration choose Redirect or Self Host",
        )
    found = []
    if redirect is not None:
        found.append(f"the redirect URL {printable(redirect)}")
    if config is not None:
        found.append("a JSON configuration")
    return PrereqCheck("adue_config", "pass", "JumpCloud has " + " and ".join(found))


def _shown(value: bool | None) -> str:
    return "null" if value is None else str(value).lower()
