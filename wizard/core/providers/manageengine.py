"""ManageEngine MDM Plus: self-host the JSON downloaded from its console. Source: its help
pages, one of which shows "Servers" as an object, not an array (a copy-paste trap)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from wizard.core.protocol import IOS_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import DEVICE_SIGN_IN, Answers, Preset, Step

PATH = "/mdm/client/v1/enroll"
QUERY = ("templateToken", "encapiKey")
# ManageEngine's hosts seen in its help pages: mdm.manageengine.com, .eu, .in, .com.au...
HOST = re.compile(r"^mdm\.manageengine\.[a-z]{2,}(\.[a-z]{2,})?$")
SHAPE = f"https://mdm.manageengine.<tld>{PATH}?templateToken=...&encapiKey=..."


class ManageEngine(Preset):
    def base_url_shape(self, answers: Answers) -> str | None:
        return SHAPE

    def base_url_problem(self, answers: Answers, base_url: str) -> str | None:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        if not HOST.match(host):
            return f"BaseURL host is {host}; ManageEngine's has the shape {SHAPE}"
        if parts.path != PATH:
            return f"BaseURL path is {parts.path or '/'}; expected the shape {SHAPE}"
        query = parse_qs(parts.query)
        missing = [name for name in QUERY if not query.get(name, [""])[0]]
        if missing:
            return f"BaseURL has no {' or '.join(missing)}; expected the shape {SHAPE}"
        return None

    def recognises(self, host: str, path: str) -> bool:
        return bool(HOST.match(host))


PRESET = ManageEngine(
    name="manageengine",
    title="ManageEngine MDM Plus",
    methods=("self-host",),
    inputs=("json-file",),
    versions={"user": USER_ENROLLMENT},
    model_families=IOS_FAMILIES,
    wizard_note="ManageEngine MDM Plus: download the discovery JSON from its console; you "
    "import that file on the Platform step, and it is published byte for byte.",
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
    download="ManageEngine MDM Plus: download the discovery JSON from its console "
    "(menu names unconfirmed), then give the file here:",
    document_again="download it again from the MDM Plus console rather than editing it by hand",
    missing="ManageEngine MDM Plus needs the JSON downloaded from its console (--json-file PATH)",
)
