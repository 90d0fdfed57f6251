"""Fleet: self-host, a BaseURL on the Fleet server. Source: Fleet's account-driven user
enrollment article; Fleet's source marks the path without a token deprecated in favour of
`.../account_driven_enroll/<token>`, so both are accepted.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wizard.core.protocol import IOS_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import (
    DEVICE_SIGN_IN,
    Answers,
    Input,
    Preset,
    Step,
)

PATH = "/api/mdm/apple/account_driven_enroll"
URL_WHERE = "Fleet > Settings > Organization settings > Fleet web address"


class Fleet(Preset):
    def base_url(self, answers: Answers) -> str | None:
        if answers.base_url is not None:
            return answers.base_url
        return answers.server_url.strip().rstrip("/") + PATH if answers.server_url else None

    def base_url_shape(self, answers: Answers) -> str | None:
        return f"<Fleet server URL>{PATH}"

    def base_url_problem(self, answers: Answers, base_url: str) -> str | None:
        if answers.base_url is not None:
            if base_url == answers.base_url:
                return None
            return f"BaseURL is {base_url}; expected {answers.base_url}"
        parts = urlsplit(base_url)
        head, found, token = parts.path.partition(PATH)
        if not found or (token and not re.fullmatch(r"/[^/]+/?", token)):
            return (
                f"BaseURL path is {parts.path or '/'}; Fleet expects <Fleet server URL>{PATH} "
                "(or .../<token>)"
            )
        built = self.base_url(answers)
        if built is not None:
            prefix = built[: -len(PATH)]
            if f"{parts.scheme}://{parts.netloc}{head}".rstrip("/").lower() != prefix.lower():
                return f"BaseURL is {base_url}; expected {built} (or {built}/<token>)"
        return None

    def recognises(self, host: str, path: str) -> bool:
        return PATH in path

    def header(self, answers: Answers) -> str:
        return f"Fleet: {answers.server_url or answers.base_url or 'not given'}."


PRESET = Fleet(
    name="fleet",
    title="Fleet",
    methods=("self-host",),
    inputs=("server-url", "base-url", "json-file"),
    server_url_where=URL_WHERE,
    versions={"user": USER_ENROLLMENT},
    abm_registration="Fleet registers it through its own Apple Business Manager integration",
    model_families=IOS_FAMILIES,
    wizard_inputs=(
        Input(
            "server-url",
            f"Fleet server URL (https://...; find it in {URL_WHERE}):",
            called="server URL",
        ),
    ),
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
    document_again="build it again from the Fleet server URL (adue-wizard generate --mdm fleet "
    "--server-url URL) rather than editing it by hand",
    missing="Fleet needs the Fleet server URL (--server-url URL), the BaseURL Fleet shows "
    "(--base-url URL) or its JSON (--json-file)",
)
