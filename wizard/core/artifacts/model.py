"""What the generators take and give: the admin's setup in, a plan of artifacts and steps out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from wizard.core.artifacts.escaping import line_comment, shell_word

Method = Literal["redirect", "self-host"]
METHODS: tuple[Method, ...] = ("redirect", "self-host")
WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
DOCUMENT_PATH = ".well-known/com.apple.remotemanagement"
JUMPCLOUD_DISCOVERY = "https://apple.mdm.jumpcloud.com/account-driven-service-discovery"
PLACEHOLDER_DOMAIN = "example.com"

QUERY_WHY = (
    "Apple devices do not carry their query (user-identifier, model-family) across a "
    "redirect, so this rule appends it to the target, after the target's own query."
)
QUERY_WHY_LINES = (
    "Apple devices do not carry their query (user-identifier, model-family)",
    "across a redirect, so this rule appends it after the target's own query.",
)


def why_comment(prefix: str, indent: str = "") -> str:
    """QUERY_WHY as comment lines, for artifacts that forward the device's query."""
    return "".join(f"{indent}{prefix}{line}\n" for line in QUERY_WHY_LINES)


class GenerateError(ValueError):
    """The request cannot produce an artifact; the message is one line, fit to show."""


@dataclass(frozen=True)
class Setup:
    """Everything a generator needs. `target` is set for Redirect, `document` for Self-Host."""

    method: Method
    domain: str | None = None
    org_id: str | None = None
    target: str | None = None
    document: str | None = None
    forward_query: bool = True
    generated_on: date = date(2000, 1, 1)

    @property
    def host(self) -> str:
        return self.domain or PLACEHOLDER_DOMAIN

    @property
    def redirect_target(self) -> str:
        if self.target is None:
            raise GenerateError("a redirect needs a target")
        return self.target

    @property
    def query_separator(self) -> str:
        """What joins the device's query to the target: `&` after an existing query."""
        return "&" if "?" in self.redirect_target else "?"

    def header(self) -> list[str]:
        """The opening comment of every artifact: domain, organization, date; nothing secret."""
        method = "Redirect" if self.method == "redirect" else "Self-Host"
        organization = self.org_id or "not given"
        return [
            f"adue-wizard: Apple account-driven enrollment ({method}) for {self.host}",
            f"Organization: {organization}. Generated {self.generated_on.isoformat()}.",
        ]

    def commented(self, prefix: str, extra: tuple[str, ...] = ()) -> str:
        """The header (and `extra` lines) as line comments starting with `prefix`."""
        return "".join(f"{prefix}{line_comment(line)}\n" for line in (*self.header(), *extra))


@dataclass(frozen=True)
class Artifact:
    """One file: `filename` is where `--out DIR` writes it; `title` says where it goes."""

    filename: str
    title: str
    content: str


@dataclass(frozen=True)
class Plan:
    """Artifacts (the first is the primary one, printed by `--raw`), steps and notes."""

    platform: str
    method: Method
    artifacts: tuple[Artifact, ...]
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def primary(self) -> Artifact | None:
        return self.artifacts[0] if self.artifacts else None


@dataclass(frozen=True)
class Platform:
    name: str
    title: str
    methods: tuple[Method, ...]
    forwards_query: str
    build: Callable[[Setup], Plan]
    summary: str


def document_artifact(setup: Setup) -> Artifact:
    """The discovery document, exactly as imported or built (never rewritten)."""
    if setup.document is None:
        raise GenerateError("self-host needs the discovery document")
    return Artifact(
        DOCUMENT_PATH, "The discovery document (serve as application/json)", setup.document
    )


def server_plan(platform: str, setup: Setup, configs: list[Artifact], steps: list[str]) -> Plan:
    """A plan for a server the admin runs: its config files, then (Self-Host) the document;
    the steps end with checking the result as a device would."""
    artifacts = [*configs, document_artifact(setup)] if setup.method == "self-host" else configs
    return Plan(platform, setup.method, tuple(artifacts), (*steps, verify_step(setup)))


def publish_step(setup: Setup) -> str:
    return (
        f"Publish the discovery document so that https://{setup.host}{WELL_KNOWN_PATH} serves "
        "it byte for byte (the file has no extension; the folder starts with a dot)."
    )


def verify_step(setup: Setup) -> str:
    org = f" --org-id {shell_word(setup.org_id)}" if setup.org_id else ""
    check = f"Check it as a device would: adue-wizard verify {shell_word(setup.host)}{org}"
    if not setup.org_id:  # JumpCloud's portal step is for JumpCloud (an org ID) only
        return f"{check}; then confirm the domain in your MDM."
    return (
        f"{check}; then, in the JumpCloud portal, enter the domain under Input domain and "
        "click Confirm."
    )
