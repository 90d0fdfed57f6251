"""Microsoft Intune: self-host only, a BaseURL built from the Microsoft Entra tenant ID on the
Intune host of the tenant's cloud. Source: MicrosoftDocs/memdocs,
memdocs/intune/enrollment/apple-account-driven-user-enrollment.md.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from wizard.core.document import DocumentError, parse_document_text
from wizard.core.protocol import IOS_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import (
    DEVICE_SIGN_IN,
    Answers,
    Input,
    InputName,
    Preset,
    Step,
)
from wizard.core.shown import argument

# Intune's host per cloud (the memdocs article above).
HOSTS = {
    "public": "manage.microsoft.com",
    "usgov": "manage.microsoft.us",
    "china": "manage.microsoft.cn",
}
CLOUDS = tuple(HOSTS)
PATH = "/EnrollmentServer/PostReportDeviceInfoForUEV2"
# Microsoft's "Find your tenant ID" (entra-docs, how-to-find-tenant.md, 2025).
TENANT_WHERE = "Microsoft Entra admin center > Entra ID > Overview > Properties > Tenant ID"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def base_url_for(tenant_id: str, cloud: str | None) -> str:
    """The BaseURL for a tenant; the public cloud when none is named (as the article does)."""
    return f"https://{HOSTS[cloud or 'public']}{PATH}?aadTenantId={tenant_id.strip()}"


def normalise_tenant(text: str) -> str:
    """A tenant ID as the GUID it clearly is: without spaces or the braces some tools print
    around a GUID ({...}), in lower case as Microsoft shows it."""
    value = text.strip()
    bare = value[1:-1].strip() if value.startswith("{") and value.endswith("}") else value
    return bare.lower() if GUID.match(bare) else value


def tenant_problem(text: str) -> str | None:
    value = text.strip()
    if GUID.match(value):
        return None
    if not value:
        return f"it is empty; find it in the {TENANT_WHERE}"
    if "aadTenantId=" in value or "://" in value:
        return f"that is a URL, not the tenant ID: paste only the GUID (from the {TENANT_WHERE})"
    if "." in value and " " not in value:
        return (
            f"{argument(value, 60)} looks like a domain; Intune needs the tenant ID, a GUID "
            f"(from the {TENANT_WHERE})"
        )
    return (
        f"{argument(value, 60)} is not a GUID (8-4-4-4-12 hex digits, e.g. "
        f"00000000-0000-0000-0000-000000000000); find it in the {TENANT_WHERE}"
    )


def _tenant_in(document_text: str) -> str | None:
    """The tenant ID an imported document's BaseURL names, when it is one (a GUID)."""
    try:
        base_url = parse_document_text(document_text.removeprefix("\ufeff")).base_url
    except DocumentError:
        return None
    found = parse_qs(urlsplit(base_url).query).get("aadTenantId", [""])[0]
    return found if GUID.match(found) else None


class Intune(Preset):
    def input_problem(self, name: InputName, value: str) -> str | None:
        if name == "tenant-id":
            return tenant_problem(value)
        if name == "cloud" and value not in CLOUDS:
            return f"{argument(value, 40)} is not one of {', '.join(CLOUDS)}"
        return None

    def normalised(self, name: InputName, value: str) -> str:
        if name == "tenant-id":
            return normalise_tenant(value)
        return super().normalised(name, value)

    def base_url(self, answers: Answers) -> str | None:
        if answers.base_url is not None:
            return answers.base_url
        return base_url_for(answers.tenant_id, answers.cloud) if answers.tenant_id else None

    def base_url_shape(self, answers: Answers) -> str | None:
        return base_url_for("<tenant ID>", answers.cloud)

    def base_url_problem(self, answers: Answers, base_url: str) -> str | None:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        cloud = answers.cloud or "public"  # the default applies to judging as to building
        expected = base_url_for(answers.tenant_id or "<tenant ID>", cloud)
        if host in HOSTS.values() and host != HOSTS[cloud]:
            found = next(name for name, known in HOSTS.items() if known == host)
            if answers.cloud is None:
                return (
                    f"BaseURL host is {host} (the {found} cloud); the {cloud} cloud (the "
                    f"default) expects {expected}: give --cloud {found} if the tenant is there"
                )
            return f"BaseURL host is {host}; --cloud {cloud} expects {expected}"
        if host not in HOSTS.values():
            return f"BaseURL host is {host}, not Intune's; expected {expected}"
        if parts.path != PATH:
            return f"BaseURL path is {parts.path or '/'}; expected {expected}"
        tenants = parse_qs(parts.query).get("aadTenantId", [])
        if not tenants:
            return f"BaseURL has no aadTenantId; expected {expected}"
        found = tenants[0]
        if answers.tenant_id is not None:
            if found.lower() != answers.tenant_id.strip().lower():
                return f"BaseURL has tenant {found}; expected {expected}"
        elif not GUID.match(found):
            return f"BaseURL tenant {found} is not a tenant ID (a GUID); expected {expected}"
        return None

    def recognises(self, host: str, path: str) -> bool:
        return host in HOSTS.values()

    def header(self, answers: Answers) -> str:
        if answers.tenant_id is None and answers.document_text is not None:
            tenant = _tenant_in(answers.document_text)
            return f"Tenant: {tenant or 'as'} in the imported document."
        return f"Tenant: {answers.tenant_id or 'not given'} ({answers.cloud or 'public'} cloud)."


PRESET = Intune(
    name="intune",
    title="Microsoft Intune",
    methods=("self-host",),  # the Intune article documents only the JSON file
    inputs=("tenant-id", "cloud", "json-file"),
    versions={"user": USER_ENROLLMENT},
    model_families=IOS_FAMILIES,  # the article covers iOS/iPadOS account-driven user enrollment
    wizard_inputs=(
        Input(
            "tenant-id",
            f"Microsoft Entra tenant ID (a GUID; find it in the {TENANT_WHERE}):",
            called="tenant ID",
            placeholder="00000000-0000-0000-0000-000000000000",
        ),
        Input(
            "cloud",
            "The Intune cloud:",
            called="cloud",
            choices=(
                ("Public (manage.microsoft.com)", "public"),
                ("US Government (manage.microsoft.us)", "usgov"),
                ("21Vianet China (manage.microsoft.cn)", "china"),
            ),
        ),
    ),
    prerequisites=(
        Step(
            "An Intune enrollment profile for account-driven user enrollment exists",
            "Intune admin center > Devices > Enrollment > Apple tab > Enrollment types "
            "> Create profile > iOS/iPadOS: Enrollment type 'Account driven user "
            "enrollment', assigned to the users' groups (device groups are not "
            "supported).",
        ),
        Step(
            "The Microsoft Entra tenant ID is at hand",
            "Microsoft Entra admin center > Entra ID > Overview > Properties > Tenant ID (a GUID).",
        ),
        # Appended, never inserted: a step's tick is saved under its position.
        Step(
            "Microsoft Authenticator is a required app for the users",
            "Intune admin center > Apps: assign Microsoft Authenticator as required to "
            "the users' groups, with just-in-time registration (the article's first "
            "step); it installs itself after enrollment.",
        ),
    ),
    next_steps=(
        "Intune admin center: check that the account-driven user enrollment profile "
        "is assigned to the users' group.",
        DEVICE_SIGN_IN,
        "Users wait a few minutes after enrolling for Microsoft Authenticator to "
        "install, then open work apps; Microsoft suggests the Company Portal web app "
        "(a home-screen link) rather than the app.",
    ),
    traps=(
        'Users who see "Your Apple ID does not support the expected services on this '
        'device" reached no valid service discovery: run the Verify step.',
        "Microsoft Authenticator already installed on the device made enrollment "
        'fail with "The Enrollment SSO application has been installed on the '
        'device", which reads like an unrelated sign-in error: remove Authenticator '
        "and enroll again (a known issue in Microsoft's 2024 article; the 2025 one no "
        "longer lists it).",
        "Publish the file with no extension, served as application/json (Microsoft).",
    ),
    document_again="build it again from the tenant ID (adue-wizard generate --mdm intune "
    "--tenant-id GUID) rather than editing it by hand",
    missing="Microsoft Intune needs the tenant ID (--tenant-id GUID) or its JSON (--json-file)",
)
