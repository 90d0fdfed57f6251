"""What a verification run is told: the MDM it judges against, the test settings that route
or trust differently from a device on the internet, and the limits; and the URL a device asks.
"""

from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import quote, urlencode

from wizard.core.protocol import WELL_KNOWN_PATH
from wizard.core.providers import Answers
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.resolve import Resolve
from wizard.core.verify.transport import DEVICE_USER_AGENT


@dataclass(frozen=True)
class VerifyOptions:
    # The MDM preset the domain is judged against (`--mdm`, or JumpCloud for `--org-id`), and
    # that preset's inputs.
    mdm: str | None = None
    mdm_answers: Answers = dataclasses.field(default_factory=Answers)
    connect_to: tuple[ConnectTo, ...] = ()
    resolve: tuple[Resolve, ...] = ()
    ca_bundle: str | None = None
    user_agent: str = DEVICE_USER_AGENT
    timeout: float = 10.0
    max_redirects: int = 5
    max_bytes: int = 64 * 1024
    user: str | None = None
    model_families: tuple[str, ...] = ("iPhone",)
    concurrency: int = 16
    probe_enroll: bool = False
    # What the setup says it runs, when known: the diagnosis quotes that platform's fix.
    platform: str | None = None
    method: str | None = None

    def user_for(self, domain: str) -> str:
        """The user-identifier a device would send: `--user`, or probe@<domain>."""
        if not self.user:
            return f"probe@{domain}"
        return self.user if "@" in self.user else f"{self.user}@{domain}"

    def conditions(self) -> list[str]:
        """The test settings in effect, one string each, written as on the command line
        (values shell-quoted), e.g. "--connect-to example.com:443:127.0.0.1:8443"; empty
        when the run checks what a device on the internet would see. Shown before every
        verdict and stored with saved runs; escape it for display (it holds paths)."""
        found = [f"--connect-to {shlex.quote(str(rule))}" for rule in self.connect_to]
        found += [f"--resolve {shlex.quote(str(rule))}" for rule in self.resolve]
        if self.ca_bundle:
            found.append(f"--ca-bundle {shlex.quote(self.ca_bundle)}")
        if self.user_agent != DEVICE_USER_AGENT:
            found.append(f"--user-agent {shlex.quote(self.user_agent)}")
        return found


class GivenOptions(TypedDict, total=False):
    """The VerifyOptions fields a command line set, checked; the rest come from a saved
    setup or the defaults (`dataclasses.replace(options, **given)`)."""

    mdm: str | None
    mdm_answers: Answers
    connect_to: tuple[ConnectTo, ...]
    resolve: tuple[Resolve, ...]
    ca_bundle: str | None
    user_agent: str
    timeout: float
    max_redirects: int
    max_bytes: int
    user: str | None
    model_families: tuple[str, ...]
    concurrency: int
    probe_enroll: bool


def well_known_url(domain: str, user: str, family: str) -> str:
    # Devices may send the @ unencoded; so do we, to look exactly like one.
    query = urlencode({"user-identifier": user, "model-family": family}, safe="@", quote_via=quote)
    return f"https://{domain}{WELL_KNOWN_PATH}?{query}"
