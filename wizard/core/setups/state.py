"""Saved progress of one setup: every answer, the step reached and the artifacts.

A pydantic model with a schema version, so a file written by a later version (or damaged)
is detected on load instead of half-read. Verification runs live in the history database
(`history.py`); the store fills in the latest results and the history summary on load.
Schema 1 (version 0.1.0) kept the runs inside the file: such a file still opens, and its runs
move into the database on the first write.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from wizard.core.setups.history import LegacyRun, Outcome, RecordedRun, Summary
from wizard.core.setups.steps import STEP_TITLES, STEPS, Step
from wizard.core.verify.results import DomainReport

__all__ = ["STEPS", "STEP_TITLES", "Step"]  # re-exported for callers of this module

SCHEMA_VERSION = 2  # the store also reads schema 1 (see store.READABLE_SCHEMAS)
# The MDM preset's name (wizard.core.providers.presets). Files saved before the other presets
# existed hold "jumpcloud" or "generic", both still preset names: they load unchanged.
Provider = Literal["jumpcloud", "intune", "jamf", "fleet", "manageengine", "ivanti", "generic"]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class VerifySettings(BaseModel):
    model_config = ConfigDict(defer_build=True)

    """The verifier options an admin can change from the Verify screen."""

    connect_to: list[str] = Field(default_factory=list)
    resolve: list[str] = Field(default_factory=list)
    ca_bundle: str | None = None
    user_agent: str | None = None
    timeout: float = 10.0
    user: str | None = None
    model_family: str = "iPhone"


class CheckRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    status: str
    code: str | None = None
    cause: str | None = None
    summary: str
    remedy: str | None = None


class HopRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    status: int | None = None
    # The evidence `verify --json` prints for each hop (bounded there), kept for the report.
    method: str = "GET"
    served_by: str | None = None
    request_headers: list[tuple[str, str]] = Field(default_factory=list)
    response_headers: list[tuple[str, str]] = Field(default_factory=list)
    body_excerpt: str | None = None
    certificates: list[dict[str, Any]] | None = None


class AddressRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)

    address: str
    family: str
    ok: bool | None = None
    failure: str | None = None


class DomainResult(BaseModel):
    """One domain's verification, as `verify --json` prints it."""

    model_config = ConfigDict(defer_build=True)

    domain: str
    ok: bool
    failure: str | None = None
    conditions: list[str] = Field(default_factory=list)
    addresses: list[AddressRecord] = Field(default_factory=list)
    checks: list[CheckRecord] = Field(default_factory=list)
    hops: list[HopRecord] = Field(default_factory=list)
    document: Any = None
    mdm: str | None = None
    elapsed_ms: int = 0

    @classmethod
    def from_report(cls, report: DomainReport) -> DomainResult:
        return cls.model_validate(report.as_json())


class DomainOutcome(BaseModel):
    model_config = ConfigDict(defer_build=True)

    domain: str
    ok: bool
    failure: str | None = None


class VerificationRun(BaseModel):
    model_config = ConfigDict(defer_build=True)

    """One entry of the history: when, and how each domain fared."""

    at: datetime
    outcomes: list[DomainOutcome]

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


class SetupState(BaseModel):
    model_config = ConfigDict(defer_build=True)

    schema_version: int = SCHEMA_VERSION
    name: str
    # A new setup is saved under a stand-in name until its first domain names it.
    provisional_name: bool = False
    provider: Provider = "jumpcloud"
    org_id: str | None = None
    # The other presets' inputs (see wizard.core.providers.answers.Answers).
    tenant_id: str | None = None
    cloud: Literal["public", "usgov", "china"] = "public"
    server_url: str | None = None
    enrollment: Literal["user", "device"] = "user"
    generic_target: str | None = None
    generic_base_url: str | None = None
    domains: list[str] = Field(default_factory=list)
    prerequisites: dict[str, datetime] = Field(default_factory=dict)
    method: Literal["redirect", "self-host"] | None = None
    platform: str | None = None
    exact_seed: bool = False
    imported_json: str | None = None
    document_text: str | None = None
    artifact_dir: str | None = None
    artifact_paths: list[str] = Field(default_factory=list)
    step: Step = "organization"
    settings: VerifySettings = Field(default_factory=VerifySettings)
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    # Not written to the file: filled in from the history database by the store. A schema-1
    # file still carries them, and `history` then holds its runs until they are migrated.
    last_results: list[DomainResult] = Field(default_factory=list, exclude=True)
    last_verified_at: datetime | None = Field(default=None, exclude=True)
    history: list[VerificationRun] = Field(default_factory=list, exclude=True)
    _summary: Summary = PrivateAttr(default_factory=Summary)
    # A check made from Troubleshoot: shown, never saved unless the admin asks.
    transient: bool = Field(default=False, exclude=True)
    # The newest runs, newest first, where a report needs them (`Store.attach_recent_runs`).
    recent_runs: list[RecordedRun] = Field(default_factory=list, exclude=True)

    def has_answers(self) -> bool:
        """Worth saving: a domain, or a complete and valid organization input. A setup started
        and left at once (a key pressed, one character typed) is not saved at all."""
        from wizard.core.document import base_url_problem
        from wizard.core.domains import is_valid_org_id

        if self.domains:
            return True
        if self.provider == "jumpcloud":
            return self.org_id is not None and is_valid_org_id(self.org_id)
        if self.provider != "generic":
            from wizard.core.providers.answers import input_problem, preset_named

            preset = preset_named(self.provider)
            values = {"--tenant-id": self.tenant_id, "--server-url": self.server_url}
            typed = [(flag, value) for flag, value in values.items() if value]
            return bool(self.document_text) or (
                bool(typed) and not any(input_problem(preset, flag, value) for flag, value in typed)
            )
        urls = [url for url in (self.generic_target, self.generic_base_url) if url]
        return bool(urls) and not any(base_url_problem(url) for url in urls)

    def reach(self, step: Step) -> None:
        """Remember `step` as reached if it is further than the furthest so far: going back
        to look at an earlier step does not lose the place."""
        if STEPS.index(step) > STEPS.index(self.step):
            self.step = step

    @property
    def last_failure(self) -> str | None:
        """The failure code of the last run (first failing domain), None when it passed."""
        for result in self.last_results:
            if not result.ok:
                return result.failure or "failed"
        return None

    @property
    def summary(self) -> Summary:
        return self._summary

    def set_history(
        self, summary: Summary, latest: tuple[datetime, list[dict[str, Any]]] | None
    ) -> None:
        """What the history database says (the store calls this after loading or recording)."""
        self._summary = summary
        if latest is not None and (
            self.last_verified_at is None or latest[0] >= self.last_verified_at
        ):
            self.last_verified_at = latest[0]
            self.last_results = [DomainResult.model_validate(item) for item in latest[1]]

    def legacy_runs(self) -> list[LegacyRun]:
        """The schema-1 file's runs, each keyed so a migration never adds one twice."""
        return [
            LegacyRun(
                key=f"{self.name}|{run.at.isoformat()}|{index}",
                run=RecordedRun(
                    at=run.at,
                    ok=run.ok,
                    outcomes=tuple(Outcome(o.domain, o.ok, o.failure) for o in run.outcomes),
                ),
            )
            for index, run in enumerate(self.history)
        ]

    def last_passed_at(self) -> datetime | None:
        return self._summary.last_passed_at

    def summary_row(self) -> dict[str, Any]:
        """What `status --json` prints for this setup."""
        return {
            "name": self.name,
            "mdm": self.provider,
            "provider": self.provider,
            "org_id": self.org_id,
            "domains": self.domains,
            "method": self.method,
            "platform": self.platform,
            "step": self.step,
            "last_verified_at": _iso(self.last_verified_at),
            "last_failure": self.last_failure if self.last_verified_at else None,
            "last_passed_at": _iso(self.last_passed_at()),
            "failing_since": _iso(self._summary.failing_since),
            "conditions": list(self._summary.last_conditions),
            "runs": self._summary.runs,
            "updated_at": _iso(self.updated_at),
        }


def setup_name_for(domains: list[str], org_id: str | None, taken: set[str]) -> str:
    """A file-safe name: the first domain, else the organization, made unique."""
    base = domains[0] if domains else (f"org-{org_id}" if org_id else "setup")
    base = re.sub(r"[^a-z0-9.-]+", "-", base.lower()).strip("-.") or "setup"
    name, number = base, 2
    while name in taken:
        name = f"{base}-{number}"
        number += 1
    return name


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
