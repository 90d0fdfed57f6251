"""A recorded run as the rest of the program reads it: each domain's outcome, the run's
verdict, where a setup's history stands (`Summary`), and the changes of state between runs.
Plain values, without the database: the start list and the wizard read them before any
database is opened.

A run (or a domain's result) is "unknown" when it failed only for a reason of the checking
machine (its resolver could not look names up): it happened, and is kept, but it is neither
a pass nor the domain failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.core.results import DomainReport


@dataclass(frozen=True)
class Outcome:
    domain: str
    ok: bool
    failure: str | None
    # Failed only because this machine could not look the name up: nothing is known.
    unknown: bool = False


@dataclass(frozen=True)
class RecordedRun:
    at: datetime
    ok: bool
    outcomes: tuple[Outcome, ...]
    conditions: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, reports: Sequence[DomainReport], conditions: Sequence[str], at: datetime
    ) -> RecordedRun:
        return cls(
            at=at,
            ok=all(report.ok for report in reports),
            outcomes=tuple(Outcome(r.domain, r.ok, r.failure, r.unknown) for r in reports),
            conditions=tuple(conditions),
        )

    @property
    def unknown(self) -> bool:
        """No domain failed on its own, and some could not be checked from this machine: the
        run says nothing of the setup's state (never a pass, and not a failure either)."""
        return not self.ok and all(o.ok or o.unknown for o in self.outcomes)

    @property
    def failure(self) -> str | None:
        """The failure code of the first failing domain ("failed" without one), or None."""
        if self.ok:
            return None
        return next((o.failure or "failed" for o in self.outcomes if not o.ok), "failed")

    def to_json(self) -> dict[str, Any]:
        """`adue-wizard history --json`: {"at", "ok", "unknown", "outcomes", "conditions"}."""
        return {
            "at": self.at.isoformat(),
            "ok": self.ok,
            "unknown": self.unknown,
            "outcomes": [
                {"domain": o.domain, "ok": o.ok, "unknown": o.unknown, "failure": o.failure}
                for o in self.outcomes
            ],
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class Summary:
    """Where a setup's history stands, for `status`, the start list and the Verify step."""

    runs: int = 0
    last_at: datetime | None = None
    last_ok: bool | None = None
    last_passed_at: datetime | None = None
    failing_since: datetime | None = None
    last_conditions: tuple[str, ...] = ()
    # The failure code of the last run's first failing domain (None when it passed).
    last_failure: str | None = None
    # The last run said nothing of the domains (this machine could not resolve names):
    # `failing_since` and `last_passed_at` are those of the runs before it.
    last_unknown: bool = False

    def after(self, run: RecordedRun) -> Summary:
        """This summary with `run` recorded after the others: what the database will say
        once it is written, for a screen that shows it at once."""
        if run.ok:
            failing_since = None
        elif run.unknown:
            failing_since = self.failing_since  # nothing new is known: as it was
        else:
            failing_since = self.failing_since or run.at
        return Summary(
            runs=self.runs + 1,
            last_at=run.at,
            last_ok=run.ok,
            last_passed_at=run.at if run.ok else self.last_passed_at,
            failing_since=failing_since,
            last_conditions=run.conditions,
            last_failure=run.failure,
            last_unknown=run.unknown,
        )


@dataclass(frozen=True)
class Change:
    """A domain whose state (a pass, or its failure code) differs from its previous run;
    `before` is None on the domain's first run."""

    domain: str
    before: str | None
    after: str


def domain_state(outcome: Outcome) -> str:
    """A domain's state in a run: "pass", or its failure code ("failed" without one)."""
    return "pass" if outcome.ok else outcome.failure or "failed"


def changes(runs: Sequence[RecordedRun]) -> list[tuple[RecordedRun, list[Change]]]:
    """The runs (given oldest first) in which some domain's state changed from the last run
    that checked it (a domain's first run counts as a change), with those changes, oldest
    first. A result that says nothing of the domain (`unknown`: this machine could not
    resolve names) is no state: the next known one is compared with the one before it."""
    last: dict[str, str] = {}
    changed = []
    for run in runs:
        found = []
        for outcome in run.outcomes:
            if outcome.unknown:
                continue
            state = domain_state(outcome)
            before = last.get(outcome.domain)
            if before != state:
                found.append(Change(outcome.domain, before, state))
            last[outcome.domain] = state
        if found:
            changed.append((run, found))
    return changed


@dataclass
class LegacyRun:
    """A run kept inside a setup file by version 0.1.0 (schema 1), not yet in the database."""

    key: str
    run: RecordedRun
