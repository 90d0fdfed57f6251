"""What the presets mean in practice: the answers a preset takes and how they are checked,
the redirect target or BaseURL it produces, a document or redirect checked against it, and
the MDM recognised from a URL. Light imports only: `verify` recognises on every run."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import parse_qs, urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.providers.presets import (
    FLEET_PATH,
    FLEET_URL_WHERE,
    INTUNE_HOSTS,
    INTUNE_PATH,
    IVANTI_BASE_PATH,
    IVANTI_URL_WHERE,
    JAMF_PATHS,
    JAMF_URL_WHERE,
    JUMPCLOUD_DISCOVERY_PATH,
    JUMPCLOUD_HOST,
    MANAGEENGINE_PATH,
    MANAGEENGINE_QUERY,
    NAMES,
    PRESETS,
    TENANT_WHERE,
    WELL_KNOWN_PATH,
    Enrollment,
    Preset,
)
from wizard.core.shown import argument

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MANAGEENGINE_HOST = re.compile(r"^mdm\.manageengine\.[a-z]{2,}(\.[a-z]{2,})?$")
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
    if _GUID.match(value):
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


# -- a document or a redirect chain checked against a preset -----------------------------------


def document_problem(preset: Preset, answers: Answers, version: str, base_url: str) -> str | None:
    """Why a document with this Version and BaseURL is not what `preset` expects, naming
    the expected value; None when it is (or when the preset judges documents like any
    other: generic, and the document an Ivanti cluster serves)."""
    if preset.name in ("generic", "ivanti"):
        if answers.base_url and base_url != answers.base_url:
            return f"BaseURL is {base_url}; expected {answers.base_url}"
        return None
    expected = expected_version(preset, answers)
    if version != expected:
        hint = ""
        if preset.name == "jamf" and version in preset.versions.values():
            hint = " (for the other enrollment type, give --enrollment " + (
                "device)" if answers.enrollment == "user" else "user)"
            )
        return (
            f'Version is "{version}"; {preset.title} expects "{expected}" for '
            f"{answers.enrollment} enrollment{hint}"
        )
    recognised = recognise(base_url)
    if recognised is not None and recognised != preset.name:
        return (
            f"BaseURL {base_url} is {PRESETS[recognised].title}'s, not {preset.title}'s"
            + _expected_suffix(preset, answers)
        )
    built = built_base_url(preset, answers)
    if preset.name == "intune":
        return _intune_problem(answers, base_url)
    if preset.name == "jamf":
        return _path_problem(preset, base_url, built, JAMF_PATHS[answers.enrollment], exact=True)
    if preset.name == "fleet":
        return _fleet_problem(base_url, built, answers)
    if preset.name == "manageengine":
        return _manageengine_problem(base_url)
    if built is not None and base_url != built:
        return f"BaseURL is {base_url}; expected {built}"
    return None


def _expected_suffix(preset: Preset, answers: Answers) -> str:
    """'; expected <the BaseURL or its shape>' for a document meant for `preset`."""
    built = built_base_url(preset, answers)
    shapes = {
        "intune": intune_base_url("<tenant ID>", answers.cloud),
        "jamf": f"<Jamf Pro URL>{JAMF_PATHS[answers.enrollment]}",
        "fleet": f"<Fleet server URL>{FLEET_PATH}",
        "manageengine": f"https://mdm.manageengine.<tld>{MANAGEENGINE_PATH}"
        "?templateToken=...&encapiKey=...",
        "jumpcloud": "the BaseURL in the JSON from JumpCloud's Self Host > Download JSON",
    }
    expected = built or shapes.get(preset.name)
    return f"; expected {expected}" if expected else ""


def _intune_problem(answers: Answers, base_url: str) -> str | None:
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    expected = (
        intune_base_url(answers.tenant_id, answers.cloud)
        if answers.tenant_id
        else intune_base_url("<tenant ID>", answers.cloud)
    )
    if answers.cloud is not None and host != INTUNE_HOSTS[answers.cloud]:
        return f"BaseURL host is {host}; --cloud {answers.cloud} expects {expected}"
    if host not in INTUNE_HOSTS.values():
        return f"BaseURL host is {host}, not Intune's; expected {expected}"
    if parts.path != INTUNE_PATH:
        return f"BaseURL path is {parts.path or '/'}; expected {expected}"
    tenants = parse_qs(parts.query).get("aadTenantId", [])
    if not tenants:
        return f"BaseURL has no aadTenantId; expected {expected}"
    found = tenants[0]
    if answers.tenant_id is not None:
        if found.lower() != answers.tenant_id.strip().lower():
            return f"BaseURL has tenant {found}; expected {expected}"
    elif not _GUID.match(found):
        return f"BaseURL tenant {found} is not a tenant ID (a GUID); expected {expected}"
    return None


def _path_problem(
    preset: Preset, base_url: str, built: str | None, path: str, *, exact: bool
) -> str | None:
    if built is not None:
        if base_url.rstrip("/").lower() != built.lower():
            return f"BaseURL is {base_url}; expected {built}"
        return None
    found = urlsplit(base_url).path.rstrip("/")
    if not found.endswith(path):
        return f"BaseURL path is {found or '/'}; {preset.title} expects <server URL>{path}"
    return None


def _fleet_problem(base_url: str, built: str | None, answers: Answers) -> str | None:
    # Fleet's article gives the path without a token; newer Fleet shows .../<token>.
    if answers.base_url is not None:
        return (
            None
            if base_url == answers.base_url
            else f"BaseURL is {base_url}; expected {answers.base_url}"
        )
    parts = urlsplit(base_url)
    path = parts.path
    head, found, token = path.partition(FLEET_PATH)
    if not found or (token and not re.fullmatch(r"/[^/]+/?", token)):
        return (
            f"BaseURL path is {path or '/'}; Fleet expects <Fleet server URL>{FLEET_PATH} "
            "(or .../<token>)"
        )
    if built is not None:
        prefix = built[: -len(FLEET_PATH)]
        if f"{parts.scheme}://{parts.netloc}{head}".rstrip("/").lower() != prefix.lower():
            return f"BaseURL is {base_url}; expected {built} (or {built}/<token>)"
    return None


def _manageengine_problem(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    shape = f"https://mdm.manageengine.<tld>{MANAGEENGINE_PATH}?templateToken=...&encapiKey=..."
    if not _MANAGEENGINE_HOST.match(host):
        return f"BaseURL host is {host}; ManageEngine's has the shape {shape}"
    if parts.path != MANAGEENGINE_PATH:
        return f"BaseURL path is {parts.path or '/'}; expected the shape {shape}"
    query = parse_qs(parts.query)
    missing = [name for name in MANAGEENGINE_QUERY if not query.get(name, [""])[0]]
    if missing:
        return f"BaseURL has no {' or '.join(missing)}; expected the shape {shape}"
    return None


def redirect_problem(
    preset: Preset, answers: Answers, domain: str, visited: list[str]
) -> str | None:
    """For a redirect preset: why the chain does not reach the target it expects with the
    device's query, naming that target; None when it does (or the preset has no rule)."""
    if answers.target is not None:
        return _target_problem(answers.target, visited)
    if preset.name != "ivanti":
        return None
    expected = built_target(preset, answers) or f"https://<cluster>{WELL_KNOWN_PATH}"
    cluster = urlsplit(expected).hostname if answers.server_url else None
    for url in visited[1:]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        on_cluster = host == cluster if cluster else host != domain
        if on_cluster and parts.path == WELL_KNOWN_PATH:
            query = parse_qs(parts.query)
            if "user-identifier" in query and "model-family" in query:
                return None
            return (
                f"it reaches {url} without the device's query; expected "
                f"{expected}?<the device's query>"
            )
    if len(visited) == 1:
        return f"the domain answers itself; {preset.title} expects a redirect to {expected}"
    return f"the redirect does not reach {expected}"


def _target_problem(target: str, visited: list[str]) -> str | None:
    """The chain must reach `target` (its own query kept, the device's appended)."""
    wanted = urlsplit(target)
    wanted_query = parse_qs(wanted.query)
    for url in visited[1:]:
        parts = urlsplit(url)
        same_place = (parts.scheme, parts.netloc.lower(), parts.path) == (
            wanted.scheme,
            wanted.netloc.lower(),
            wanted.path,
        )
        query = parse_qs(parts.query)
        if same_place and all(query.get(key) == value for key, value in wanted_query.items()):
            return None
    return f"the redirect does not reach {target}"


# -- recognising an MDM from a URL --------------------------------------------------------------


def recognise(url: str) -> str | None:
    """The preset a redirect target or BaseURL belongs to, or None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path.rstrip("/")
    if host == JUMPCLOUD_HOST or host.endswith(".jumpcloud.com"):
        return "jumpcloud"
    if host in INTUNE_HOSTS.values():
        return "intune"
    if any(path.endswith(p) for p in JAMF_PATHS.values()) or host.endswith(".jamfcloud.com"):
        return "jamf"
    if FLEET_PATH in path:
        return "fleet"
    if _MANAGEENGINE_HOST.match(host):
        return "manageengine"
    if path.startswith(IVANTI_BASE_PATH):
        return "ivanti"
    return None


def recognise_chain(targets: list[str], base_url: str | None) -> str | None:
    """The MDM the redirect targets point at (first recognised), else the BaseURL's."""
    for url in [*targets, *([base_url] if base_url else [])]:
        if found := recognise(url):
            return found
    return None


def jumpcloud_discovery(org_id: str) -> str:
    return f"https://{JUMPCLOUD_HOST}{JUMPCLOUD_DISCOVERY_PATH}?organization_id={org_id}"


# -- what the generators get from a preset ------------------------------------------------------

MISSING = {
    "intune": "Microsoft Intune needs the tenant ID (--tenant-id GUID) or its JSON (--json-file)",
    "jamf": "Jamf Pro needs the Jamf Pro URL (--server-url URL) or its JSON (--json-file)",
    "fleet": "Fleet needs the Fleet server URL (--server-url URL), the BaseURL Fleet shows "
    "(--base-url URL) or its JSON (--json-file)",
    "manageengine": "ManageEngine MDM Plus needs the JSON downloaded from its console "
    "(--json-file PATH)",
    "ivanti": "Ivanti Neurons for MDM needs the cluster's https URL (--server-url URL)",
}


@dataclass(frozen=True)
class ArtifactInputs:
    """What `prepare_setup` takes, as the preset produces it from the answers."""

    target: str | None
    base_url: str | None
    document_text: str | None
    version: str


def artifact_inputs(preset: Preset, answers: Answers, method: str) -> ArtifactInputs:
    """The redirect target, or the BaseURL or document, for `preset`; ValueError (one line)
    when an input is missing or the document is not what the preset expects."""
    from dataclasses import replace

    from wizard.core.diagnosis.placeholders import find_placeholder
    from wizard.core.document import DocumentError, parse_document_text

    version = expected_version(preset, answers)
    if method == "redirect":
        target = built_target(preset, answers)
        if target is None and preset.name in MISSING:
            raise InvalidInput(MISSING[preset.name])
        return ArtifactInputs(target, None, None, version)
    base_url = None if answers.document_text is not None else built_base_url(preset, answers)
    if base_url is None and answers.document_text is None and preset.name in MISSING:
        raise InvalidInput(MISSING[preset.name])
    if answers.document_text is not None:
        try:
            document = parse_document_text(answers.document_text.removeprefix("\ufeff"))
        except DocumentError:
            # The generators say what is wrong with its shape, in their words.
            return ArtifactInputs(None, None, answers.document_text, version)
        found_version, found_url = document.version, document.base_url
    elif base_url is not None:
        found_version, found_url = version, base_url
    else:
        return ArtifactInputs(None, None, None, version)
    hit = find_placeholder(found_url)
    if hit:
        raise InvalidInput(f"the BaseURL {found_url} holds {hit}: a placeholder left in")
    problem = document_problem(preset, replace(answers, base_url=None), found_version, found_url)
    if problem:
        raise InvalidInput(f"not a {preset.title} document: {problem}")
    return ArtifactInputs(None, base_url, answers.document_text, version)
