"""The answers an MDM preset takes (what the admin gives: an org ID, a tenant ID, a server
URL...), each checked as typed with words that say what is wrong and where the value is
found, and the redirect target or BaseURL the preset builds from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.providers.presets import (
    FLEET_PATH,
    FLEET_URL_WHERE,
    INTUNE_HOSTS,
    INTUNE_PATH,
    IVANTI_URL_WHERE,
    JAMF_PATHS,
    JAMF_URL_WHERE,
    NAMES,
    PRESETS,
    TENANT_WHERE,
    WELL_KNOWN_PATH,
    Enrollment,
    Preset,
)
from wizard.core.shown import argument

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CLOUDS = tuple(INTUNE_HOSTS)


@dataclass(frozen=True)
class Answers:
    """What the admin gave for a preset; None where not given."""

    org_id: str | None = None
    tenant_id: str | None = None
    cloud: str | None = None
    server_url: str | None = None
    base_url: str | None = None
    target: str | None = None
    document_text: str | None = None
    enrollment: Enrollment = "user"

    def given(self) -> list[str]:
        """The flags of the inputs given, e.g. ["--tenant-id"]."""
        return [
            FLAGS[f.name]
            for f in fields(self)
            if f.name in FLAGS and getattr(self, f.name) is not None
        ]


FLAGS = {
    "org_id": "--org-id",
    "tenant_id": "--tenant-id",
    "cloud": "--cloud",
    "server_url": "--server-url",
    "base_url": "--base-url",
    "target": "--target",
    "document_text": "--json-file",
}


def preset_named(name: str) -> Preset:
    preset = PRESETS.get(name.strip().lower())
    if preset is None:
        raise InvalidInput(f"unknown MDM {argument(name)}; choose one of {' '.join(NAMES)}")
    return preset


def title_of(name: str | None) -> str:
    preset = PRESETS.get(name or "")
    return preset.title if preset else "not one of the named MDMs"


# -- each input, checked as typed: what is wrong, and where the value is found ---------------


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


def cloud_problem(text: str) -> str | None:
    if text in CLOUDS:
        return None
    return f"{argument(text, 40)} is not one of {', '.join(CLOUDS)}"


def server_url_problem(text: str, where: str) -> str | None:
    """Why `text` cannot be a server's https URL (scheme, host, optional port and path)."""
    from wizard.core.artifacts.urls import url_problem

    value = text.strip()
    if not value:
        return f"it is empty; find it in {where}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"{argument(value, 80)} is not a URL"
    if parts.scheme != "https" or not parts.hostname:
        return f"{argument(value, 80)} must start with https:// and name the host ({where})"
    if parts.query or parts.fragment:
        return f"{argument(value, 80)} has a query or fragment; give the server's address only"
    problem = url_problem(value, "the URL")
    return problem


def input_problem(preset: Preset, flag: str, value: str) -> str | None:
    """What is wrong with one typed value for `preset`, in words, or None."""
    if flag == "--tenant-id":
        return tenant_problem(value)
    if flag == "--cloud":
        return cloud_problem(value)
    if flag == "--server-url":
        where = {"jamf": JAMF_URL_WHERE, "fleet": FLEET_URL_WHERE}.get(
            preset.name, IVANTI_URL_WHERE
        )
        return server_url_problem(value, where)
    return None


# -- the whole set of answers, for a command ---------------------------------------------------


def check_answers(preset: Preset, answers: Answers, method: str | None) -> None:
    """Raise InvalidInput (one line) for an input the preset does not take, an enrollment
    type or method it does not have, or a malformed value."""
    taken = [f"--{name}" for name in preset.inputs]
    for flag in answers.given():
        if flag not in taken:
            raise InvalidInput(
                f"{flag} is not an input of --mdm {preset.name} "
                f"(it takes {', '.join(taken) or 'no inputs'})"
            )
    if answers.enrollment not in preset.enrollments:
        raise InvalidInput(
            f"--enrollment {answers.enrollment}: {preset.title} has "
            f"{' and '.join(preset.enrollments)} enrollment only here"
        )
    if method is not None and method not in preset.methods:
        raise InvalidInput(
            f"--method {method}: {preset.title} allows only --method {' or '.join(preset.methods)}"
        )
    for flag, value in (
        ("--tenant-id", answers.tenant_id),
        ("--cloud", answers.cloud),
        ("--server-url", answers.server_url),
    ):
        if value is not None and (problem := input_problem(preset, flag, value)):
            raise InvalidInput(f"{flag}: {problem}")


def expected_version(preset: Preset, answers: Answers) -> str:
    return preset.versions[answers.enrollment]


def intune_base_url(tenant_id: str, cloud: str | None) -> str:
    host = INTUNE_HOSTS[cloud or "public"]
    return f"https://{host}{INTUNE_PATH}?aadTenantId={tenant_id.strip()}"


def built_base_url(preset: Preset, answers: Answers) -> str | None:
    """The BaseURL the preset produces from the answers, or None when it needs a file."""
    if answers.base_url is not None:
        return answers.base_url
    if preset.name == "intune" and answers.tenant_id:
        return intune_base_url(answers.tenant_id, answers.cloud)
    if preset.name == "jamf" and answers.server_url:
        return answers.server_url.strip().rstrip("/") + JAMF_PATHS[answers.enrollment]
    if preset.name == "fleet" and answers.server_url:
        return answers.server_url.strip().rstrip("/") + FLEET_PATH
    return None


def ivanti_target(server_url: str) -> str:
    host = urlsplit(server_url.strip()).netloc
    return f"https://{host}{WELL_KNOWN_PATH}"


def built_target(preset: Preset, answers: Answers) -> str | None:
    if answers.target is not None:
        return answers.target
    if preset.name == "ivanti" and answers.server_url:
        return ivanti_target(answers.server_url)
    return None
