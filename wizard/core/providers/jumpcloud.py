"""JumpCloud, from its admin guide (the product's seed document): redirect to its discovery URL
with the organization ID, or self-host the JSON from the portal's "Download JSON". The
organization rule lives here: a chain that reaches JumpCloud's discovery host must carry this
organization's ID, or the device lands in another organization (or none).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from wizard.core.codes import Code
from wizard.core.domains import ORG_ID_WHERE, normalise_org_id, org_id_problem
from wizard.core.protocol import IOS_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import Answers, Input, InputName, Preset, Step

HOST = "apple.mdm.jumpcloud.com"
DISCOVERY_URL = f"https://{HOST}/account-driven-service-discovery"
# Where the portal keeps the Apple MDM's settings (the seed: "Go to DEVICE MANAGEMENT > MDM.
# On the Apple > Home tab, scroll to iOS Enrollment").
PORTAL_MDM = "JumpCloud Admin Portal > DEVICE MANAGEMENT > MDM > Apple > Home"
DOWNLOAD_WHERE = (
    "in the Admin Portal, DEVICE MANAGEMENT > MDM > Apple > iOS Enrollment > Self Host, click "
    "Download JSON"
)


# What the JumpCloud portal shows when its own check of the domain meets each problem,
# quoted from its "Troubleshooting Error Messages" list; codes it has no check for are absent.
PORTAL_NO_WELL_KNOWN = (
    "Verification failed to get a well-known URL. Please check your info and try again."
)
PORTAL_STATUS = (
    "An issue occurred during verification. Refer to the help article for remediation tips."
)
PORTAL_CONTENT_TYPE = (
    "During verification, an unexpected content type was returned. "
    "Please check your info and try again."
)
PORTAL_LENGTH = (
    "Either unknown content or improper content length was detected during verification. "
    "Refer to the help article for remediation tips."
)
PORTAL_UNREADABLE = (
    "Verification failed to read the response body. Refer to the help article for remediation tips."
)
PORTAL_JSON = (
    "Verification failed to understand the JSON response. Refer to the help article for "
    "remediation tips."
)
PORTAL_CONFIG = (
    "There was an invalid configuration of a well-known URL response during verification. "
    "Refer to the help article for remediation tips."
)
PORTAL_REDIRECTS = (
    "There were too many redirects during verification. Refer to the help article for "
    "remediation tips."
)
PORTAL_MESSAGES: dict[Code, str] = {
    Code.INVALID_DOMAIN: PORTAL_NO_WELL_KNOWN,
    Code.CONNECT_FAILED: PORTAL_NO_WELL_KNOWN,
    Code.TIMEOUT: PORTAL_NO_WELL_KNOWN,
    Code.TLS_UNTRUSTED: PORTAL_NO_WELL_KNOWN,
    Code.TLS_HOSTNAME_MISMATCH: PORTAL_NO_WELL_KNOWN,
    Code.TLS_EXPIRED: PORTAL_NO_WELL_KNOWN,
    Code.TLS_PROTOCOL: PORTAL_NO_WELL_KNOWN,
    Code.TLS_WEAK_KEY: PORTAL_NO_WELL_KNOWN,
    Code.INSECURE_REDIRECT: PORTAL_NO_WELL_KNOWN,
    Code.TOO_MANY_REDIRECTS: PORTAL_REDIRECTS,
    Code.BAD_STATUS: PORTAL_STATUS,
    Code.BAD_CONTENT_TYPE: PORTAL_CONTENT_TYPE,
    Code.BODY_TOO_LARGE: PORTAL_LENGTH,
    Code.UNREADABLE_BODY: PORTAL_UNREADABLE,
    Code.BAD_JSON: PORTAL_JSON,
    Code.BAD_CONFIG: PORTAL_CONFIG,
    Code.WRONG_ORG_ID: PORTAL_CONFIG,
    Code.UNEXPECTED_KEYS: PORTAL_CONFIG,
    Code.VERSION_DEVICE_ENROLLMENT: PORTAL_CONFIG,
}


def discovery_target(org_id: str) -> str:
    """The redirect target JumpCloud's guide gives for an organization."""
    return f"{DISCOVERY_URL}?organization_id={org_id}"


class JumpCloud(Preset):
    def input_problem(self, name: InputName, value: str) -> str | None:
        if name == "org-id":
            return org_id_problem(value)
        return None

    def normalised(self, name: InputName, value: str) -> str:
        if name == "org-id":
            return normalise_org_id(value)
        return super().normalised(name, value)

    def target(self, answers: Answers) -> str | None:
        if answers.target is not None:
            return answers.target
        return discovery_target(answers.org_id) if answers.org_id else None

    def built(self, answers: Answers) -> str | None:
        target = self.target(answers)
        return f"Redirect target: {target}" if target else None

    def base_url_shape(self, answers: Answers) -> str | None:
        return "the BaseURL in the JSON from JumpCloud's Self Host > Download JSON"

    def version_problem(self, answers: Answers, version: str, expected: str) -> str:
        return f'Version is "{version}"; JumpCloud supports only "{USER_ENROLLMENT}"'

    def redirect_problem(
        self, answers: Answers, domain: str, visited: list[str]
    ) -> tuple[Code, str] | None:
        expected = answers.org_id
        if expected is None:
            return super().redirect_problem(answers, domain, visited)
        # Whose ID it is: the one given, or the one JumpCloud's configuration holds.
        wanted = (
            f"{answers.expected_from} says {expected}"
            if answers.expected_from is not None
            else f"expected {expected}"
        )
        for url in visited:
            parts = urlsplit(url)
            if parts.hostname != HOST:
                continue
            found = parse_qs(parts.query).get("organization_id", [])
            if not found:
                return Code.WRONG_ORG_ID, (
                    f"it reaches {HOST} with no organization_id; {wanted}: the device "
                    "would land in no organization"
                )
            if found != [expected]:
                return Code.WRONG_ORG_ID, (
                    f"it reaches {HOST} with organization_id {', '.join(found)}; {wanted}: "
                    "the device would land in another organization"
                )
        if answers.target is not None and answers.expected_from is not None:
            # The redirect URL JumpCloud itself gives: the chain must reach exactly that.
            judged = super().redirect_problem(answers, domain, visited)
            if judged is not None:
                return Code.BAD_CONFIG, (
                    f"{answers.expected_from} says the redirect goes to {answers.target}; "
                    "the chain does not reach it"
                )
        return None

    def recognises(self, host: str, path: str) -> bool:
        return host == HOST or host.endswith(".jumpcloud.com")

    def header(self, answers: Answers) -> str:
        if answers.org_id is None and answers.document_text is not None:
            return "Organization: as in the JSON downloaded from the JumpCloud portal."
        return f"Organization: {answers.org_id or 'not given'}."

    def verify_arguments(self, answers: Answers, document_path: str | None = None) -> list[str]:
        # --org-id alone means JumpCloud on the command line; the downloaded JSON is named
        # when its path is known (the portal's file has no other name to suggest).
        arguments = ["--org-id", answers.org_id] if answers.org_id else ["--mdm", self.name]
        if document_path is not None and answers.document_text is not None:
            arguments += ["--json-file", document_path]
        return arguments


PRESET = JumpCloud(
    name="jumpcloud",
    title="JumpCloud",
    # Its document comes from the portal; `verify` still fails a placeholder it serves.
    refuses_placeholders=False,
    methods=("redirect", "self-host"),
    inputs=("org-id", "base-url", "json-file"),
    versions={"user": USER_ENROLLMENT},  # the guide: JumpCloud supports user enrollment only
    abm_registration="JumpCloud registers it when the Apple MDM's service discovery setting is on "
    "(serviceDiscoveryEnabled; what it does exactly is unconfirmed)",
    model_families=IOS_FAMILIES,  # the guide: iOS/iPadOS 15+; no macOS or visionOS
    wizard_inputs=(
        Input(
            "org-id",
            f"JumpCloud organization ID (24 lowercase hex characters; find it {ORG_ID_WHERE}):",
            called="JumpCloud organization ID",
            typed_as="organization ID",
            placeholder="(24 lowercase hex characters)",
        ),
    ),
    prerequisites=(
        Step(
            "The accounts are linked to JumpCloud users",
            "JumpCloud Admin Portal: run the MAID Import Script (JumpCloud help: 'Run the MAID "
            "Import Script').",
            "JumpCloud must know which Managed Apple Account belongs to which JumpCloud user, or "
            "enrollment cannot be tied to the user. The MAID import script associates them.",
            id="accounts_linked",
            after="managed_accounts",
        ),
        Step(
            "JumpCloud allows enrolling personal devices",
            "JumpCloud Admin Portal > DEVICE MANAGEMENT > MDM > Apple: turn on 'Allow users to "
            "enroll personal mobile devices'.",
            "Without it users do not see 'Enroll Your iOS Device' in the User Portal and "
            "enrollment is refused.",
            id="personal_enrollment",
            after="certificate_trusted",
        ),
    ),
    os_versions=Step(
        "Devices run iOS/iPadOS 15 or later",
        "Settings > General > About on the device.",
        "Account-driven user enrollment works on iOS/iPadOS 15+, and on 18+ it is the only "
        "way to enroll personal devices. macOS and visionOS user enrollment are not supported "
        "by JumpCloud.",
    ),
    next_steps=(
        "JumpCloud Admin Portal: DEVICE MANAGEMENT > MDM > Apple > Home, scroll to iOS "
        "Enrollment; under Account-driven User Enrollment Configuration select {choice}.",
        "Enter {domain} in the Input domain field and click Confirm. Expect: "
        '"Account-driven Configuration Successful for {domain}". An error such as '
        '"could not be verified" maps to a failure shown on the Verify step.',
        "Make sure 'Allow users to enroll personal mobile devices' is on.",
        "Users (iOS/iPadOS 15+): Settings > General > VPN & Device Management > Sign "
        "In to Work or School Account, with their Managed Apple Account; or follow "
        "'Enroll Your iOS Device' in the JumpCloud User Portal.",
    ),
    portal_messages=PORTAL_MESSAGES,
    portal="JumpCloud portal",
    guide="JumpCloud's guide",
    document_again="download it again from the JumpCloud Admin Portal (DEVICE MANAGEMENT > MDM "
    "> Apple > iOS Enrollment > Self Host > Download JSON) rather than editing it by hand",
    portal_step="in the JumpCloud portal, enter {each} under Input domain and click Confirm",
    download=f"JumpCloud Self-Host: {DOWNLOAD_WHERE}, then give the file here:",
    missing="a JumpCloud redirect needs the organization ID (--org-id)",
    missing_document="JumpCloud self-host: download the JSON (DEVICE MANAGEMENT > MDM > Apple "
    "> iOS Enrollment > Self Host > Download JSON) and pass --json-file PATH",
)
