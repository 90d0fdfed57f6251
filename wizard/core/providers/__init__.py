"""MDM presets: every MDM the tool knows by name, one module each, and this registry.

A preset module (`jumpcloud`, `intune`...) holds its MDM's facts as data, with their sources,
and overrides the parts of `preset.Preset` its MDM does differently. Adding an MDM: a module
beside these and one line in `PRESETS`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.providers import fleet, generic, intune, ivanti, jamf, jumpcloud, manageengine
from wizard.core.providers.preset import Answers, Preset
from wizard.core.shown import argument

__all__ = ["NAMES", "PRESETS", "Answers", "Preset", "preset_named", "recognise", "title_of"]

# The order of the wizard's choices and of `--mdm`'s list; recognition tries them in turn.
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        jumpcloud.PRESET,
        intune.PRESET,
        jamf.PRESET,
        fleet.PRESET,
        manageengine.PRESET,
        ivanti.PRESET,
        generic.PRESET,
    )
}
NAMES = tuple(PRESETS)


def preset_named(name: str) -> Preset:
    preset = PRESETS.get(name.strip().lower())
    if preset is None:
        raise InvalidInput(f"unknown MDM {argument(name)}; choose one of {' '.join(NAMES)}")
    return preset


def title_of(name: str | None) -> str:
    preset = PRESETS.get(name or "")
    return preset.title if preset else "not one of the named MDMs"


def recognise(url: str) -> Preset | None:
    """The preset a redirect target or BaseURL belongs to, or None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path.rstrip("/")
    return next((p for p in PRESETS.values() if p.recognises(host, path)), None)


def recognise_chain(targets: list[str], base_url: str | None) -> Preset | None:
    """The MDM the redirect targets point at (first recognised), else the BaseURL's."""
    for url in [*targets, *([base_url] if base_url else [])]:
        if found := recognise(url):
            return found
    return None
