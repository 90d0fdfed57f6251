"""Saved progress of one setup: every answer, the step reached and the artifacts.

A pydantic model with a schema version, so a file written by a later version (or damaged)
is detected on load instead of half-read; it is the one definition of a valid setup file
(`listing` defers to it when in doubt). Verification runs live in the history database
(`history`); the store attaches the latest results and the history summary on load, outside
the model's fields. Schema 1 (version 0.1.0) kept the runs inside the file: such a file
still opens, and its runs move into the database on the first write.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from wizard.core.protocol import Enrollment, Method
from wizard.core.providers import NAMES, PRESETS, Answers, Preset
from wizard.core.providers.preset import InputName
from wizard.core.results import DomainReport
from wizard.core.setups.link_history import LinkRun
from wizard.core.setups.runs import LegacyRun, Outcome, RecordedRun, Summary
from wizard.core.setups.steps import STEPS, Step

SCHEMA_VERSION = 2  # the store also reads schema 1 (see store.READABLE_SCHEMAS)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class VerifySettings(BaseModel):
    """The verifier options an admin can change from the Verify screen."""

    model_config = ConfigDict(defer_build=True)

    connect_to: list[str] = Field(default_factory=list)
    resolve: list[str] = Field(default_factory=list)
    ca_bundle: str | None = None
    user_agent: str | None = None
    timeout: float = 10.0
    user: str | None = None
    model_family: str = "iPhone"


class DomainOutcome(BaseModel):
    model_config = ConfigDict(defer_build=True)

    domain: str
    ok: bool
    failure: str | None = None


class VerificationRun(BaseModel):
    """A run as schema 1 kept it inside the file: when, and how each domain fared."""

    model_config = ConfigDict(defer_build=True)

    at: datetime
    outcomes: list[DomainOutcome]

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


# Where each preset input is saved. The file's field names are older than most presets:
# `generic_target` and `generic_base_url` hold any MDM's target and BaseURL.
SAVED_AS: dict[InputName, str] = {
    "org-id": "org_id",
    "tenant-id": "tenant_id",
    "cloud": "cloud",
    "server-url": "server_url",
    "enrollment": "enrollment",
    "target": "generic_target",
    "base-url": "generic_base_url",
    "json-file": "document_text",
}


# Checklist ids that changed; the old id of a saved tick is read as the new one.
RENAMED_TICKS = {"personal_devices_allowed": "personal_enrollment"}


class SetupState(BaseModel):
    model_config = ConfigDict(defer_build=True)

    schema_version: int = SCHEMA_VERSION
    name: str
    # A new setup is saved under a stand-in name until its first domain names it.
    provisional_name: bool = False
    # The MDM preset's name (a key of wizard.core.providers.PRESETS).
    provider: str = "jumpcloud"
    # The presets' inputs (see SAVED_AS).
    org_id: str | None = None
    tenant_id: str | None = None
    cloud: Literal["public", "usgov", "china"] = "public"
    server_url: str | None = None
    enrollment: Enrollment = "user"
    generic_target: str | None = None
    generic_base_url: str | None = None
    domains: list[str] = Field(default_factory=list)
    # JumpCloud's API for this setup: a region, or another base URL (https). Never the key.
    jumpcloud_region: Literal["us", "eu", "in"] = "us"
    jumpcloud_api_url: str | None = None
    prerequisites: dict[str, datetime] = Field(default_factory=dict)
    method: Method | None = None
    platform: str | None = None
    exact_seed: bool = False
    imported_json: str | None = None
    document_text: str | None = None
    artifact_dir: str | None = None
    artifact_paths: list[str] = Field(default_factory=list)
    # Where the wizard last exported the Markdown report: the next export proposes it.
    report_path: str | None = None
    step: Step = "organization"
    settings: VerifySettings = Field(default_factory=VerifySettings)
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    # Schema 1 only: the runs and last results kept inside the file; read, never written.
    history: list[VerificationRun] = Field(default_factory=list, exclude=True)
    legacy_results: list[dict[str, Any]] = Field(
        default_factory=list, exclude=True, validation_alias="last_results"
    )
    # A check made from Troubleshoot: shown, never saved unless the admin asks.
    transient: bool = Field(default=False, exclude=True)
    # Attached by the store from the history database; not part of the file.
    _summary: Summary = PrivateAttr(default_factory=Summary)
    _last_results: list[DomainReport] = PrivateAttr(default_factory=list)
    _recent_runs: list[RecordedRun] = PrivateAttr(default_factory=list)
    _link_runs: list[LinkRun] = PrivateAttr(default_factory=list)

    @field_validator("prerequisites", mode="before")
    @classmethod
    def _renamed_ticks(cls, value: Any) -> Any:
        # An item renamed since the tick was saved keeps its tick under the new id.
        if isinstance(value, dict):
            return {RENAMED_TICKS.get(key, key): when for key, when in value.items()}
        return value

    @field_validator("provider")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in PRESETS:
            raise ValueError(f"not one of {', '.join(NAMES)}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _updated_when_created(cls, data: Any) -> Any:
        # 0.1.0 could write a file without `updated_at`: it was last changed when created.
        if isinstance(data, dict) and "updated_at" not in data and "created_at" in data:
            return {**data, "updated_at": data["created_at"]}
        return data

    # -- the answers ---------------------------------------------------------------------------

    @property
    def preset(self) -> Preset:
        return PRESETS[self.provider]

    def answers(self, *, with_document: bool = True) -> Answers:
        """The preset's inputs as saved; other presets' inputs left behind in the file are
        not its answers. `with_document` False leaves out the document, the target and the
        BaseURL (they were checked where they were entered)."""
        values = {name: getattr(self, attribute) for name, attribute in SAVED_AS.items()}
        answers = Answers(
            org_id=values["org-id"],
            tenant_id=values["tenant-id"],
            cloud=values["cloud"],
            server_url=values["server-url"],
            base_url=values["base-url"],
            target=values["target"],
            document_text=values["json-file"],
            enrollment=values["enrollment"],
        ).keeping(self.preset.inputs)
        if with_document:
            return answers
        return answers.keeping(
            tuple(n for n in self.preset.inputs if n not in ("target", "base-url", "json-file"))
        )

    def set_answer(self, name: InputName, value: str | None) -> None:
        setattr(self, SAVED_AS[name], value)

    def has_answers(self) -> bool:
        """Worth saving: a domain, or a complete and valid organization input. A setup started
        and left at once (a key pressed, one character typed) is not saved at all."""
        if self.domains or self.document_text:
            return True
        answers = self.answers()
        typed = [name for name in answers.given() if name != "cloud"]
        return bool(typed) and self.preset.complete(answers) is None

    def reach(self, step: Step) -> None:
        """Remember `step` as reached if it is further than the furthest so far: going back
        to look at an earlier step does not lose the place."""
        if STEPS.index(step) > STEPS.index(self.step):
            self.step = step

    # -- where its history stands ----------------------------------------------------------

    @property
    def summary(self) -> Summary:
        return self._summary

    @property
    def last_verified_at(self) -> datetime | None:
        return self._summary.last_at

    @property
    def last_failure(self) -> str | None:
        """The failure code of the last run (first failing domain), None when it passed."""
        return self._summary.last_failure

    @property
    def last_results(self) -> list[DomainReport]:
        return self._last_results

    @property
    def last_warnings(self) -> list[str]:
        """The warning codes of the last run, each once, in the order its domains and checks
        gave them (an expiring certificate warns before it fails)."""
        codes = [
            str(check.code)
            for report in self._last_results
            for check in report.checks
            if check.status == "warn" and check.code is not None
        ]
        return list(dict.fromkeys(codes))

    @property
    def recent_runs(self) -> list[RecordedRun]:
        """The newest runs, newest first, where a report needs them (the wizard reads them)."""
        return self._recent_runs

    @recent_runs.setter
    def recent_runs(self, runs: list[RecordedRun]) -> None:
        self._recent_runs = runs

    @property
    def link_runs(self) -> list[LinkRun]:
        """The newest applies and undos of account-link plans, newest first (for a report)."""
        return self._link_runs

    @link_runs.setter
    def link_runs(self, runs: list[LinkRun]) -> None:
        self._link_runs = runs

    def set_history(self, summary: Summary, latest: list[DomainReport] | None) -> None:
        """What the history database says (the store calls this after loading or recording);
        a schema-1 file's own last results stand until the database has newer ones."""
        self._summary = summary
        if latest is not None:
            self._last_results = latest
        elif not self._last_results and self.legacy_results:
            self._last_results = _readable(self.legacy_results)

    def show_run(self, run: RecordedRun, reports: list[DomainReport]) -> None:
        """A run just made, shown at once (before, or without, its recording)."""
        self._summary = self._summary.after(run)
        self._last_results = list(reports)

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

    def summary_row(self) -> dict[str, Any]:
        """What `status --json` prints for this setup."""
        summary = self._summary
        return {
            "name": self.name,
            "mdm": self.provider,
            "provider": self.provider,
            "org_id": self.org_id,
            "domains": self.domains,
            "method": self.method,
            "platform": self.platform,
            "step": self.step,
            "last_verified_at": _iso(summary.last_at),
            "last_failure": summary.last_failure,
            "last_warnings": self.last_warnings,
            "last_unknown": summary.last_unknown,
            "last_passed_at": _iso(summary.last_passed_at),
            "failing_since": _iso(summary.failing_since),
            "conditions": list(summary.last_conditions),
            "runs": summary.runs,
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


def _readable(items: list[dict[str, Any]]) -> list[DomainReport]:
    """The schema-1 file's last results that this version can read back (0.1.0 wrote a few
    codes since renamed: those results are left out, the runs themselves are kept)."""
    reports = []
    for item in items:
        try:
            reports.append(DomainReport.from_json(item))
        except ValueError:
            continue
    return reports


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
