"""Every MDM the tool knows by name, as data: what the admin gives, what the domain must
publish, and what the vendor's own guide says around it. Each fact carries its source.

Behaviour built on these facts lives beside this module: the answers and what they build
(`answers`), a document or redirect judged (`judgement`), the MDM recognised from a URL
(`recognition`), what the generators get (`artifact_inputs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Method = Literal["redirect", "self-host"]
Enrollment = Literal["user", "device"]
# The inputs a preset can take, named as their command-line flags without the dashes.
InputName = Literal["org-id", "tenant-id", "cloud", "server-url", "json-file", "target", "base-url"]

USER, DEVICE = "mdm-byod", "mdm-adde"
ALL_FAMILIES = ("AppleTV", "iPad", "iPhone", "Mac", "RealityDevice", "Watch")
IOS_FAMILIES = ("iPhone", "iPad")
WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"


@dataclass(frozen=True)
class Step:
    """One thing the admin does in the vendor's console, and where."""

    title: str
    where: str


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    methods: tuple[Method, ...]
    inputs: tuple[InputName, ...]
    # The Version a document for this MDM has, per enrollment type it supports.
    versions: dict[Enrollment, str]
    model_families: tuple[str, ...]
    # The vendor's console steps before the domain is published (Apple's are shared).
    prerequisites: tuple[Step, ...] = ()
    # What to do once the domain answers, in the vendor's console and on a device.
    next_steps: tuple[str, ...] = ()
    # Mistakes the vendor's guide or the field reports, said before they bite.
    traps: tuple[str, ...] = ()
    # Facts the tool relies on that the vendor does not publish: shown as "unconfirmed".
    unconfirmed: tuple[str, ...] = ()
    # True where the vendor's portal checks the domain itself and its messages are known
    # (JumpCloud's "Troubleshooting Error Messages"): only then are they quoted.
    portal_messages: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def enrollments(self) -> tuple[Enrollment, ...]:
        return tuple(self.versions)


DEVICE_SIGN_IN = (
    "On a test device: Settings > General > VPN & Device Management > Sign In to Work or "
    "School Account, with a Managed Apple Account of the domain."
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        # JumpCloud's admin guide (the product's seed document): redirect to the discovery
        # URL with organization_id, or self-host the JSON from "Download JSON".
        Preset(
            "jumpcloud",
            "JumpCloud",
            ("redirect", "self-host"),
            ("org-id", "base-url", "json-file"),
            {"user": USER},  # the seed: JumpCloud supports user enrollment only
            IOS_FAMILIES,  # the seed: iOS/iPadOS 15+; no macOS or visionOS user enrollment
            next_steps=(
                "JumpCloud Admin Portal: DEVICE MANAGEMENT > MDM > Apple > Home, scroll to iOS "
                "Enrollment; under Account-driven User Enrollment Configuration select "
                "{choice}.",
                "Enter {domain} in the Input domain field and click Confirm. Expect: "
                '"Account-driven Configuration Successful for {domain}". An error such as '
                '"could not be verified" maps to a failure shown on the Verify step.',
                "Make sure 'Allow users to enroll personal mobile devices' is on.",
                "Users (iOS/iPadOS 15+): Settings > General > VPN & Device Management > Sign "
                "In to Work or School Account, with their Managed Apple Account; or follow "
                "'Enroll Your iOS Device' in the JumpCloud User Portal.",
            ),
            portal_messages=True,
        ),
        # Microsoft Intune: MicrosoftDocs/memdocs,
        # memdocs/intune/enrollment/apple-account-driven-user-enrollment.md.
        Preset(
            "intune",
            "Microsoft Intune",
            ("self-host",),  # the Intune article documents only the JSON file
            ("tenant-id", "cloud", "json-file"),
            {"user": USER},
            IOS_FAMILIES,  # the article covers iOS/iPadOS account-driven user enrollment
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
                    "Microsoft Entra admin center > Entra ID > Overview > Properties > Tenant "
                    "ID (a GUID).",
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
        ),
        # Jamf Pro: Jamf's account-driven user enrollment documentation (10.41) for the
        # user path; the device path and mdm-adde come from third-party examples only.
        Preset(
            "jamf",
            "Jamf Pro",
            ("self-host",),
            ("server-url", "json-file"),
            {"user": USER, "device": DEVICE},
            ALL_FAMILIES[:4],  # iPhone, iPad, Mac, AppleTV, per the enrollment types Jamf lists
            prerequisites=(
                Step(
                    "Account-driven enrollment is turned on in Jamf Pro",
                    "Jamf Pro > Settings > Global > User-initiated enrollment > Edit > Devices "
                    "tab: select the checkbox that enables account-driven User Enrollment "
                    "(Jamf's documentation).",
                ),
                Step(
                    "The Jamf Pro URL is at hand",
                    "The address you sign in to Jamf Pro at (e.g. "
                    "https://yourcompany.jamfcloud.com); Jamf Pro also shows it under "
                    "Settings > Global > Jamf Pro URL (menu name unconfirmed).",
                ),
            ),
            next_steps=(
                "Jamf Pro: check the User-initiated enrollment settings (Devices tab) and "
                "the Managed Apple Account's access group.",
                DEVICE_SIGN_IN,
            ),
            unconfirmed=(
                "Device enrollment (.../v1/deviceenroll with mdm-adde) is seen in third-party "
                "examples, not in Jamf's pages.",
                "Jamf Pro 11.25 and later can host service discovery through Apple Business "
                "Manager per organization, with no file on your domain.",
            ),
        ),
        # Fleet: Fleet's account-driven user enrollment article; Fleet's source marks the
        # path without a token deprecated in favour of .../account_driven_enroll/<token>.
        Preset(
            "fleet",
            "Fleet",
            ("self-host",),
            ("server-url", "base-url", "json-file"),
            {"user": USER},
            IOS_FAMILIES,
            prerequisites=(
                Step(
                    "Apple MDM is turned on in Fleet and the server URL is at hand",
                    "Fleet > Settings > Integrations > Mobile device management (MDM); the "
                    "server URL is under Settings > Organization settings > Fleet web address "
                    "(menu names unconfirmed: they move between Fleet versions).",
                ),
            ),
            next_steps=(
                'Fleet: move the new hosts from "Unassigned" to their team.',
                DEVICE_SIGN_IN,
            ),
            traps=(
                'A self-hosted file puts enrolled hosts in "Unassigned" (Fleet\'s article): '
                "move them to a team afterwards.",
                "On iOS/iPadOS 18.2 and later Fleet can register its discovery URL with Apple "
                "Business Manager instead of a file on your domain.",
            ),
        ),
        # ManageEngine MDM Plus: its help pages; the admin downloads the JSON from the
        # console. One help page shows "Servers" as an object, not an array.
        Preset(
            "manageengine",
            "ManageEngine MDM Plus",
            ("self-host",),
            ("json-file",),
            {"user": USER},
            IOS_FAMILIES,
            prerequisites=(
                Step(
                    "The discovery JSON is downloaded from the console",
                    "MDM Plus > Enrollment > Apple > User Enrollment (account-driven): "
                    "download the JSON file (menu names unconfirmed).",
                ),
            ),
            next_steps=(
                "MDM Plus: check that the users are assigned to the enrollment template.",
                DEVICE_SIGN_IN,
            ),
            traps=(
                'One ManageEngine help page shows "Servers" as an object; devices need an '
                "array: publish the downloaded file, not a copy of that example.",
            ),
        ),
        # Ivanti Neurons for MDM: Ivanti's "Account driven User Enrollment" help page
        # (redirect the well-known URI to https://<n-MDM cluster>/.well-known/...).
        Preset(
            "ivanti",
            "Ivanti Neurons for MDM",
            ("redirect",),
            ("server-url",),
            {"user": USER},
            ("iPhone", "iPad", "Mac"),  # Ivanti's page: iOS 15+ and macOS 14+
            prerequisites=(
                Step(
                    "User Enrollment is the Apple enrollment type",
                    "Ivanti Neurons for MDM > Admin > Apple > Apple Enrollment: select User "
                    "Enrollment; Users > User Settings: Device Owner Settings ON, User Owned.",
                ),
            ),
            next_steps=(
                DEVICE_SIGN_IN,
                "Users sign in with their Ivanti Neurons for MDM credentials.",
            ),
        ),
        Preset(
            "generic",
            "Another MDM",
            ("redirect", "self-host"),
            ("target", "base-url", "json-file"),
            {"user": USER, "device": DEVICE},
            ALL_FAMILIES,
            next_steps=(
                "In your MDM, confirm the account-driven enrollment domain {domain}.",
                DEVICE_SIGN_IN,
            ),
        ),
    )
}
NAMES = tuple(PRESETS)

# Intune's host per cloud (the memdocs article above).
INTUNE_HOSTS = {
    "public": "manage.microsoft.com",
    "usgov": "manage.microsoft.us",
    "china": "manage.microsoft.cn",
}
INTUNE_PATH = "/EnrollmentServer/PostReportDeviceInfoForUEV2"
# Microsoft's "Find your tenant ID" (entra-docs, how-to-find-tenant.md, 2025).
TENANT_WHERE = "Microsoft Entra admin center > Entra ID > Overview > Properties > Tenant ID"
JAMF_PATHS = {
    "user": "/servicediscoveryenrollment/v1/userenroll",
    "device": "/servicediscoveryenrollment/v1/deviceenroll",
}
# Where Jamf shows this setting is not in its pages we could read; the address is certain.
JAMF_URL_WHERE = "the address you sign in to Jamf Pro at"
FLEET_PATH = "/api/mdm/apple/account_driven_enroll"
FLEET_URL_WHERE = "Fleet > Settings > Organization settings > Fleet web address"
MANAGEENGINE_PATH = "/mdm/client/v1/enroll"
MANAGEENGINE_QUERY = ("templateToken", "encapiKey")
# ManageEngine's hosts seen in its help pages: mdm.manageengine.com, .eu, .in, .com.au...
MANAGEENGINE_HOST = re.compile(r"^mdm\.manageengine\.[a-z]{2,}(\.[a-z]{2,})?$")
IVANTI_URL_WHERE = (
    "the address of your Ivanti Neurons for MDM cluster, as in your admin portal's URL"
)
# An older Ivanti page shows a self-hosted BaseURL https://<cluster>/c/i/reg/userenroll...:
# used only to recognise a document, never to judge one.
IVANTI_BASE_PATH = "/c/i/reg/"
JUMPCLOUD_HOST = "apple.mdm.jumpcloud.com"
JUMPCLOUD_DISCOVERY_PATH = "/account-driven-service-discovery"
