"""MDM presets: every MDM the tool knows by name, one module each, and this registry.

A preset module (`jumpcloud`, `intune`...) holds its MDM's facts as data, with their sources,
and overrides the parts of `preset.Preset` its MDM does differently. Adding an MDM: a module
beside these, named as the preset, and one line in `LABELS`.

The modules load when a preset is first asked for (`PRESETS`, `preset_named`...): the
wizard's start list needs only the names and labels, and draws its first frame without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

if TYPE_CHECKING:
    from wizard.core.providers.preset import Answers, Preset

    PRESETS: dict[str, Preset]

__all__ = ["LABELS", "NAMES", "PRESETS", "Answers", "Preset", "preset_named", "recognise"]

# Every preset, in the order of the wizard's choices and of `--mdm`'s list (recognition tries
# them in turn), with the short label a list that fits 80 columns shows.
LABELS: dict[str, str] = {
    "jumpcloud": "JumpCloud",
    "intune": "Intune",
    "jamf": "Jamf Pro",
    "fleet": "Fleet",
    "manageengine": "ManageEngine",
    "ivanti": "Ivanti",
    "generic": "Generic MDM",
}
NAMES = tuple(LABELS)
_LOADED: dict[str, Preset] = {}


def __getattr__(attribute: str) -> object:
    if attribute == "PRESETS":
        return _presets()
    if attribute in ("Answers", "Preset"):
        from wizard.core.providers import preset

        return getattr(preset, attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def _presets() -> dict[str, Preset]:
    if not _LOADED:
        for name in NAMES:
            _LOADED[name] = importlib.import_module(f"{__name__}.{name}").PRESET
    return _LOADED


def preset_named(name: str) -> Preset:
    preset = _presets().get(name.strip().lower())
    if preset is None:
        raise InvalidInput(f"unknown MDM {argument(name)}; choose one of {' '.join(NAMES)}")
    return preset


def title_of(name: str | None) -> str:
    preset = _presets().get(name or "")
    return preset.title if preset else "not one of the named MDMs"


def recognise(url: str) -> Preset | None:
    """The preset a redirect target or BaseURL belongs to, or None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path.rstrip("/")
    return next((p for p in _presets().values() if p.recognises(host, path)), None)


def recognise_chain(targets: list[str], base_url: str | None) -> Preset | None:
    """The MDM the redirect targets point at (first recognised), else the BaseURL's."""
    for url in [*targets, *([base_url] if base_url else [])]:
        if found := recognise(url):
            return found
    return None
