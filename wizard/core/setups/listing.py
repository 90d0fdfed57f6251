"""What the start list shows of each saved setup, read quickly.

The wizard lists saved setups in its first frame, and building the full pydantic model costs
about 250 ms the first time (import and schema build). So the list first reads only the
fields it shows, each of a type the model would accept; a file it is not sure of is read by
the model itself (`SetupState`, the one definition of a valid file), which alone decides to
move a file aside. A file the model accepts is never set aside here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wizard.core.providers import NAMES
from wizard.core.setups.runs import Summary
from wizard.core.setups.steps import STEPS, Step

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState


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
        return self.summary.last_failure

    @classmethod
    def of(cls, state: SetupState) -> SetupListing:
        return cls(
            state.name,
            state.provider,
            state.org_id,
            list(state.domains),
            state.step,
            state.updated_at,
            state.summary,
        )


def quick_listing(raw: dict[str, Any]) -> SetupListing | None:
    """The listing of a setup file's JSON when every field it shows is plainly what the model
    accepts; None when in doubt (a missing `updated_at`, a time in another form...): then
    the model reads the file."""
    name, provider = raw.get("name"), raw.get("provider", "jumpcloud")
    org_id, domains = raw.get("org_id"), raw.get("domains", [])
    step, updated_at = raw.get("step", "organization"), raw.get("updated_at")
    if not (
        isinstance(name, str)
        and provider in NAMES
        and (org_id is None or isinstance(org_id, str))
        and isinstance(domains, list)
        and all(isinstance(domain, str) for domain in domains)
        and step in STEPS
        and isinstance(updated_at, str)
    ):
        return None
    try:
        when = datetime.fromisoformat(updated_at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None  # the model reads it as local time; let it
    return SetupListing(name, provider, org_id, domains, step, when)
