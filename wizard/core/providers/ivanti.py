"""Ivanti Neurons for MDM: redirect the well-known URL to the same path on the tenant's
cluster, the device's query kept. Source: Ivanti's "Account driven User Enrollment" help page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from wizard.core.codes import Code
from wizard.core.protocol import USER_ENROLLMENT, WELL_KNOWN_PATH
from wizard.core.providers.preset import (
    DEVICE_SIGN_IN,
    Answers,
    Input,
    Preset,
    Step,
)

URL_WHERE = "the address of your Ivanti Neurons for MDM cluster, as in your admin portal's URL"
# An older Ivanti page shows a self-hosted BaseURL https://<cluster>/c/i/reg/userenroll...:
# used only to recognise a document, never to judge one.
BASE_PATH = "/c/i/reg/"


def cluster_target(server_url: str) -> str:
    return f"https://{urlsplit(server_url.strip()).netloc}{WELL_KNOWN_PATH}"


class Ivanti(Preset):
    def target(self, answers: Answers) -> str | None:
        if answers.target is not None:
            return answers.target
        return cluster_target(answers.server_url) if answers.server_url else None

    def document_problem(self, answers: Answers, version: str, base_url: str) -> str | None:
        # The cluster serves the document; it is judged like any other MDM's.
        return None

    def redirect_problem(
        self, answers: Answers, domain: str, visited: list[str]
    ) -> tuple[Code, str] | None:
        expected = self.target(answers) or f"https://<cluster>{WELL_KNOWN_PATH}"
        cluster = urlsplit(expected).hostname if answers.server_url else None
        for url in visited[1:]:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            on_cluster = host == cluster if cluster else host != domain
            if on_cluster and parts.path == WELL_KNOWN_PATH:
                query = parse_qs(parts.query)
                if "user-identifier" in query and "model-family" in query:
                    return None
                return Code.BAD_CONFIG, (
                    f"it reaches {url} without the device's query; expected "
                    f"{expected}?<the device's query>"
                )
        if len(visited) == 1:
            return Code.BAD_CONFIG, (
                f"the domain answers itself; {self.title} expects a redirect to {expected}"
            )
        return Code.BAD_CONFIG, f"the redirect does not reach {expected}"

    def recognises(self, host: str, path: str) -> bool:
        return path.startswith(BASE_PATH)

    def header(self, answers: Answers) -> str:
        return f"Ivanti cluster: {answers.server_url or 'not given'}."


PRESET = Ivanti(
    name="ivanti",
    title="Ivanti Neurons for MDM",
    methods=("redirect",),
    inputs=("server-url",),
    server_url_where=URL_WHERE,
    versions={"user": USER_ENROLLMENT},
    model_families=("iPhone", "iPad", "Mac"),  # Ivanti's page: iOS 15+ and macOS 14+
    wizard_inputs=(
        Input(
            "server-url",
            f"Ivanti Neurons for MDM cluster URL (https://...; {URL_WHERE}):",
            called="server URL",
        ),
    ),
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
    missing="Ivanti Neurons for MDM needs the cluster's https URL (--server-url URL)",
)
