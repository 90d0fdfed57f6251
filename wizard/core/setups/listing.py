"""What the start list shows of each saved setup, read without pydantic.

The wizard lists saved setups right after its first paint; building the full pydantic model
costs ~250 ms the first time (import and schema build), so the list reads only the fields it
shows, checking each one's type, and the full model is validated when a setup is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wizard.core.setups.history import Summary
from wizard.core.setups.steps import STEPS, Step


@dataclass
class SetupListing:
    name: str
    provider: str
    org_id: str | None
    domains: list[str]
    step: Step
    updated_at: datetime
    summary: Summary = field(default_factory=Summary)

    @property
    def last_verified_at(self) -> datetime | None:
        return self.summary.last_at

    @property
    def last_failure(self) -> str | None:
        return self.summary.last_failure if self.summary.last_at else None


def listing_from(raw: dict[str, Any]) -> SetupListing:
    """The listing of a setup file's JSON; ValueError naming the first field that is wrong."""
    name = _text(raw, "name")
    provider = _text(raw, "provider", "jumpcloud")
    org_id = raw.get("org_id")
    if org_id is not None and not isinstance(org_id, str):
        raise ValueError("invalid field org_id")
    domains = raw.get("domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise ValueError("invalid field domains")
    step = raw.get("step", "organization")
    if step not in STEPS:
        raise ValueError("invalid field step")
    try:
        updated_at = datetime.fromisoformat(_text(raw, "updated_at"))
    except ValueError:
        raise ValueError("invalid field updated_at") from None
    return SetupListing(name, provider, org_id, domains, step, updated_at)


def _text(raw: dict[str, Any], key: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f"invalid field {key}")
    return value
