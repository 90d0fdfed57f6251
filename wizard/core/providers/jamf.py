"""Jamf Pro: self-host, a BaseURL on the Jamf Pro URL. Source: Jamf's account-driven user
enrollment documentation (10.41) for the user path; the device path and `mdm-adde` come from
third-party examples only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wizard.core.protocol import DEVICE_ENROLLMENT, MODEL_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import (
    DEVICE_SIGN_IN,
    Answers,
    Input,
    Preset,
    Step,
)

PATHS = {
    "user": "/servicediscoveryenrollment/v1/userenroll",
    "device": "/servicediscoveryenrollment/v1/deviceenroll",
}
# Where Jamf shows this setting is not in its pages we could read; the address is certain.
URL_WHERE = "the address you sign in to Jamf Pro at"


class Jamf(Preset):
    def base_url(self, answers: Answers) -> str | None:
        if answers.base_url is not None:
            return answers.base_url
        if answers.server_url:
            return answers.server_url.strip().rstrip("/") + PATHS[answers.enrollment]
        return None

    def base_url_shape(self, answers: Answers) -> str | None:
        return f"<Jamf Pro URL>{PATHS[answers.enrollment]}"

    def version_problem(self, answers: Answers, version: str, expected: str) -> str:
        problem = super().version_problem(answers, version, expected)
        if version in self.versions.values():
            other = "device" if answers.enrollment == "user" else "user"
            problem += f" (for the other enrollment type, give --enrollment {other})"
        return problem

    def base_url_problem(self, answers: Answers, base_url: str) -> str | None:
        built = self.base_url(answers)
        path = PATHS[answers.enrollment]
        if built is not None:
            if base_url.rstrip("/").lower() != built.lower():
                return f"BaseURL is {base_url}; expected {built}"
            return None
        found = urlsplit(base_url).path.rstrip("/")
        if not found.endswith(path):
            return f"BaseURL path is {found or '/'}; {self.title} expects <server URL>{path}"
        return None

    def recognises(self, host: str, path: str) -> bool:
        return any(path.endswith(p) for p in PATHS.values()) or host.endswith(".jamfcloud.com")

    def header(self, answers: Answers) -> str:
        return f"Jamf Pro: {answers.server_url or 'not given'}."


PRESET = Jamf(
    name="jamf",
    title="Jamf Pro",
    methods=("self-host",),
    inputs=("server-url", "enrollment", "json-file"),
    server_url_where=URL_WHERE,
    versions={"user": USER_ENROLLMENT, "device": DEVICE_ENROLLMENT},
    abm_registration="Jamf Pro 11.25 and later registers it for each Apple Business Manager "
    "organization (service discovery through Apple Business Manager)",
    model_families=MODEL_FAMILIES[:4],  # AppleTV, iPad, iPhone, Mac: the types Jamf lists
    wizard_inputs=(
        Input("server-url", f"Jamf Pro URL (https://...; {URL_WHERE}):", called="server URL"),
        Input(
            "enrollment",
            "Enrollment type:",
            called="enrollment type",
            choices=(
                ("User enrollment (mdm-byod)", "user"),
                ("Device enrollment (mdm-adde; unconfirmed by Jamf)", "device"),
            ),
        ),
    ),
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
    document_again="build it again from the Jamf Pro URL (adue-wizard generate --mdm jamf "
    "--server-url URL) rather than editing it by hand",
    missing="Jamf Pro needs the Jamf Pro URL (--server-url URL) or its JSON (--json-file)",
)
