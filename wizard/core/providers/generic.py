"""Another MDM: the admin gives its discovery URL (Redirect) or its BaseURL or document
(Self-Host), and the domain is judged against what was given and nothing more."""

from __future__ import annotations

from wizard.core.document import base_url_problem
from wizard.core.protocol import DEVICE_ENROLLMENT, MODEL_FAMILIES, USER_ENROLLMENT
from wizard.core.providers.preset import DEVICE_SIGN_IN, Answers, Input, Preset


class Generic(Preset):
    def document_problem(self, answers: Answers, version: str, base_url: str) -> str | None:
        if answers.base_url and base_url != answers.base_url:
            return f"BaseURL is {base_url}; expected {answers.base_url}"
        return None

    def complete(self, answers: Answers) -> str | None:
        for called, given in (("discovery URL", answers.target), ("BaseURL", answers.base_url)):
            if given and base_url_problem(given):
                return f"The {called} must be an absolute https:// URL."
        if not (answers.target or answers.base_url):
            return "Enter your MDM's discovery URL or its BaseURL."
        return None

    def built(self, answers: Answers) -> str | None:
        return None

    def verify_arguments(self, answers: Answers, document_path: str | None = None) -> list[str]:
        # A URL or a file alone means another MDM on the command line.
        arguments = super().verify_arguments(answers, document_path)[2:]
        return arguments or ["--mdm", self.name]


PRESET = Generic(
    name="generic",
    title="Another MDM",
    # The admin's own URL; `verify` still fails a placeholder the domain serves.
    refuses_placeholders=False,
    methods=("redirect", "self-host"),
    inputs=("target", "base-url", "json-file"),
    versions={"user": USER_ENROLLMENT, "device": DEVICE_ENROLLMENT},
    model_families=MODEL_FAMILIES,
    wizard_inputs=(
        Input(
            "target",
            "Your MDM's service-discovery URL (for Redirect):",
            called="discovery URL",
            checked=False,
        ),
        Input(
            "base-url",
            "Your MDM's enrollment BaseURL (for Self-Host):",
            called="BaseURL",
            checked=False,
        ),
    ),
    next_steps=(
        "In your MDM, confirm the account-driven enrollment domain {domain}.",
        DEVICE_SIGN_IN,
    ),
)
