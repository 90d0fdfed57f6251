"""A document or a redirect chain judged against an MDM preset: what is not what the
preset expects, with the expected value (or its shape) named."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from wizard.core.providers.answers import (
    GUID,
    Answers,
    built_base_url,
    built_target,
    expected_version,
    intune_base_url,
)
from wizard.core.providers.presets import (
    FLEET_PATH,
    INTUNE_HOSTS,
    INTUNE_PATH,
    JAMF_PATHS,
    MANAGEENGINE_HOST,
    MANAGEENGINE_PATH,
    MANAGEENGINE_QUERY,
    PRESETS,
    WELL_KNOWN_PATH,
    Preset,
)
from wizard.core.providers.recognition import recognise


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
    elif not GUID.match(found):
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
    if not MANAGEENGINE_HOST.match(host):
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
