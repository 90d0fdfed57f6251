"""Verification history: every recorded run of every setup, in the state folder's database
(`database.StateDatabase`), so that recording a run costs the same with ten or a million
runs behind it: each run is one transaction, and every query walks an index on
(setup, at).

Its tables, written down version by version in `schema.py`: `runs` (one row per run:
setup, when, ok, unknown, the test conditions in effect), `results` (one row per domain per
run: ok, unknown, failure code, the warnings and failures in brief), `latest` (per setup,
the full reports of its newest run, for the wizard's Verify step and the Markdown report),
`served` (per setup, domain and test settings, what the last passing run served: see
`served.py`) and `notified` (each change of a domain's state claimed by the one run that
sends its message: see `wizard.core.watch.notify`). The journal of Managed Apple Account
writes lives there too (`link_plans`, `link_runs`, `link_writes`): written by
`wizard.core.linking`, listed by `link_history.py`.

A run as it is read back is a `runs.RecordedRun`; an "unknown" one (see `runs.py`) is kept
but neither a pass nor the domain failing: "failing since" and "last passed" look past it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.core.setups.database import StateDatabase
from wizard.core.setups.link_history import LinkRun, link_runs
from wizard.core.setups.runs import LegacyRun, Outcome, RecordedRun, Summary
from wizard.core.setups.schema import MIGRATIONS
from wizard.core.setups.served import Served, served_by

if TYPE_CHECKING:
    from wizard.core.results import DomainReport

KEEP_DAYS_VARIABLE = "ADUE_WIZARD_KEEP_DAYS"
KEEP_RUNS_VARIABLE = "ADUE_WIZARD_KEEP_RUNS"


@dataclass(frozen=True)
class Retention:
    """Runs kept per setup: every run of the last `days`, and at least the last `runs`; the
    last passing run is always kept, so "last passed" never turns into "never passed"."""

    days: int = 90
    runs: int = 1000

    @classmethod
    def from_environment(cls) -> Retention:
        return cls(
            days=_whole_number(KEEP_DAYS_VARIABLE, cls.days),
            runs=max(1, _whole_number(KEEP_RUNS_VARIABLE, cls.runs)),
        )


@dataclass
class RunHistory:
    folder: Path
    retention: Retention = field(default_factory=Retention.from_environment)
    database: StateDatabase = field(init=False)

    def __post_init__(self) -> None:
        self.database = StateDatabase(self.folder, MIGRATIONS)

    @property
    def notices(self) -> list[str]:
        return self.database.notices

    @property
    def path(self) -> Path:
        return self.database.path

    def close(self) -> None:
        self.database.close()

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        setup: str,
        reports: Sequence[DomainReport],
        conditions: Sequence[str],
        at: datetime,
    ) -> int:
        """Record one run in one transaction, and what each passing domain served; returns
        the run's id. SaveError when it cannot be recorded."""

        def write(db: sqlite3.Connection) -> int:
            run = RecordedRun.of(reports, conditions, at)
            checks = [_checks_json(report) for report in reports]
            run_id = self._insert(db, setup, run, checks, legacy_key=None)
            assert run_id is not None  # only a legacy run is ever ignored
            latest = json.dumps([report.to_json() for report in reports])
            self._set_latest(db, setup, at, latest)
            self._remember_served(db, setup, reports, conditions, at)
            self._prune(db, setup)
            return run_id

        return self.database.write(write)

    def import_legacy(
        self, setup: str, runs: Sequence[LegacyRun], latest: Sequence[dict[str, Any]]
    ) -> None:
        """Move a schema-1 file's runs in, once: each carries a key, so a second import (two
        instances migrating together, or a migration cut short) adds nothing twice."""

        def write(db: sqlite3.Connection) -> None:
            for legacy in runs:
                no_checks = ["[]"] * len(legacy.run.outcomes)
                self._insert(db, setup, legacy.run, no_checks, legacy.key)
            if latest and runs:
                self._set_latest(db, setup, max(r.run.at for r in runs), json.dumps(list(latest)))
            self._prune(db, setup)

        self.database.write(write)

    def rename(self, old: str, new: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute("UPDATE runs SET setup = ? WHERE setup = ?", (new, old))
            # The old name's latest results replace the new name's, if it has any: a schema-1
            # file's runs were moved in under the new name already (see Store.rename).
            db.execute(
                "DELETE FROM latest WHERE setup = ? "
                "AND EXISTS (SELECT 1 FROM latest WHERE setup = ?)",
                (new, old),
            )
            db.execute("UPDATE latest SET setup = ? WHERE setup = ?", (new, old))
            # A deleted setup of the new name may have left what it served: the old's wins.
            db.execute("UPDATE OR REPLACE served SET setup = ? WHERE setup = ?", (new, old))
            # The accounts linked for it, and when, follow it too.
            db.execute("UPDATE link_plans SET setup = ? WHERE setup = ?", (new, old))
            db.execute("UPDATE link_runs SET setup = ? WHERE setup = ?", (new, old))

        if self.path.exists():
            self.database.write(write, f"move the runs of {old!r} to {new!r}")

    def _insert(
        self,
        db: sqlite3.Connection,
        setup: str,
        run: RecordedRun,
        checks: Sequence[str],
        legacy_key: str | None,
    ) -> int | None:
        """Insert the run and its results; its id, or None when it was a legacy run
        imported before."""
        cursor = db.execute(
            "INSERT OR IGNORE INTO runs (setup, at, ok, unknown, conditions, legacy_key) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                setup,
                _stamp(run.at),
                int(run.ok),
                int(run.unknown),
                json.dumps(list(run.conditions)),
                legacy_key,
            ),
        )
        if cursor.rowcount == 0:
            return None
        run_id = cursor.lastrowid
        db.executemany(
            "INSERT INTO results (run_id, position, domain, ok, unknown, failure, checks) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, position, o.domain, int(o.ok), int(o.unknown), o.failure, compact)
                for position, (o, compact) in enumerate(zip(run.outcomes, checks, strict=True))
            ],
        )
        return run_id

    def _set_latest(self, db: sqlite3.Connection, setup: str, at: datetime, results: str) -> None:
        # Only a newer run replaces the latest results (a migrated run may be older).
        db.execute(
            "INSERT INTO latest (setup, at, results) VALUES (?, ?, ?) "
            "ON CONFLICT (setup) DO UPDATE SET at = excluded.at, results = excluded.results "
            "WHERE excluded.at >= latest.at",
            (setup, _stamp(at), results),
        )

    def _remember_served(
        self,
        db: sqlite3.Connection,
        setup: str,
        reports: Sequence[DomainReport],
        conditions: Sequence[str],
        at: datetime,
    ) -> None:
        """What each passing domain served, per test settings: a check under --connect-to
        to a staging server is compared with the last one made so, not with production."""
        rows = [
            (
                setup,
                r.domain,
                _conditions_key(conditions),
                _stamp(at),
                s.target,
                s.digest,
                s.document,
            )
            for r in reports
            if (s := served_by(r)) is not None
        ]
        # Only a newer pass replaces what was kept (runs recorded out of order).
        db.executemany(
            "INSERT INTO served (setup, domain, conditions, at, target, digest, document) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (setup, domain, conditions) DO UPDATE SET "
            "at = excluded.at, target = excluded.target, digest = excluded.digest, "
            "document = excluded.document WHERE excluded.at >= served.at",
            rows,
        )

    def _prune(self, db: sqlite3.Connection, setup: str) -> None:
        """Drop runs past retention; every step walks the (setup, at, id) index, so the cost
        does not grow with the history."""
        keep = self.retention
        cutoff = _stamp(datetime.now(UTC) - timedelta(days=keep.days))
        oldest_kept = db.execute(
            "SELECT at, id FROM runs WHERE setup = ? ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?",
            (setup, keep.runs - 1),
        ).fetchone()
        if oldest_kept is None:
            return
        last_pass = db.execute(
            "SELECT id FROM runs WHERE setup = ? AND ok = 1 ORDER BY at DESC, id DESC LIMIT 1",
            (setup,),
        ).fetchone()
        db.execute(
            "DELETE FROM runs WHERE setup = ? AND at < ? AND (at, id) < (?, ?) AND id != ?",
            (setup, cutoff, oldest_kept[0], oldest_kept[1], last_pass[0] if last_pass else -1),
        )

    # -- reading ---------------------------------------------------------------------------

    def runs(
        self,
        setup: str,
        limit: int | None,
        legacy: Sequence[LegacyRun] = (),
        since: datetime | None = None,
    ) -> list[RecordedRun]:
        """The newest `limit` runs (all with None), made at `since` or later when given,
        newest first (a schema-1 file's runs included)."""

        def read(db: sqlite3.Connection) -> list[RecordedRun]:
            rows = db.execute(
                "SELECT id, at, ok, conditions FROM runs WHERE setup = ? AND at >= ? "
                "ORDER BY at DESC, id DESC LIMIT ?",
                (setup, _stamp(since) if since else "", -1 if limit is None else limit),
            ).fetchall()
            return [_run_from_row(db, row) for row in rows]

        no_runs: list[RecordedRun] = []
        stored = self.database.read(read, no_runs)
        pending = [run for run in self._pending(setup, legacy) if since is None or run.at >= since]
        merged = sorted([*stored, *pending], key=lambda run: run.at, reverse=True)
        return merged[:limit]

    def summary(self, setup: str, legacy: Sequence[LegacyRun] = ()) -> Summary:
        def read(db: sqlite3.Connection) -> Summary:
            counted = db.execute("SELECT runs FROM run_counts WHERE setup = ?", (setup,)).fetchone()
            last = db.execute(
                "SELECT at, ok, conditions, id, unknown FROM runs WHERE setup = ? "
                "ORDER BY at DESC, id DESC LIMIT 1",
                (setup,),
            ).fetchone()
            passed = db.execute(
                "SELECT at FROM runs WHERE setup = ? AND ok = 1 ORDER BY at DESC, id DESC LIMIT 1",
                (setup,),
            ).fetchone()
            failing_since = last_failure = None
            if last is not None and not last[1]:
                failed = db.execute(
                    "SELECT failure FROM results WHERE run_id = ? AND ok = 0 "
                    "ORDER BY position LIMIT 1",
                    (last[3],),
                ).fetchone()
                last_failure = (failed[0] if failed else None) or "failed"
                # The first failing run since the last pass; a run that said nothing (unknown)
                # neither starts nor ends a failure.
                first_fail = db.execute(
                    "SELECT at FROM runs WHERE setup = ? AND at > ? AND unknown = 0 "
                    "ORDER BY at, id LIMIT 1",
                    (setup, passed[0] if passed else ""),
                ).fetchone()
                failing_since = _parse_stamp(first_fail[0]) if first_fail else None
            return Summary(
                runs=counted[0] if counted else 0,
                last_at=_parse_stamp(last[0]) if last else None,
                last_ok=bool(last[1]) if last else None,
                last_passed_at=_parse_stamp(passed[0]) if passed else None,
                failing_since=failing_since,
                last_conditions=tuple(json.loads(last[2])) if last else (),
                last_failure=last_failure,
                last_unknown=bool(last[4]) if last else False,
            )

        stored = self.database.read(read, Summary())
        pending = self._pending(setup, legacy)
        if not pending:
            return stored
        # Runs not yet migrated (rare: before the first write after an upgrade): summed up
        # from the runs themselves, oldest first.
        summary = Summary()
        for run in reversed(self.runs(setup, self.retention.runs, legacy)):
            summary = summary.after(run)
        return replace(summary, runs=stored.runs + len(pending))

    def last_passed(self, setup: str, domains: Sequence[str]) -> dict[str, datetime]:
        """When each domain last passed in the setup's kept runs (a domain that has not is
        left out), for an alert that says how long it has been failing. Each lookup walks
        the setup's runs newest first and stops at the first pass."""

        def read(db: sqlite3.Connection) -> dict[str, datetime]:
            found = {}
            for domain in dict.fromkeys(domains):
                row = db.execute(
                    "SELECT runs.at FROM runs JOIN results ON results.run_id = runs.id "
                    "WHERE runs.setup = ? AND results.domain = ? AND results.ok = 1 "
                    "ORDER BY runs.at DESC, runs.id DESC LIMIT 1",
                    (setup, domain),
                ).fetchone()
                if row is not None:
                    found[domain] = _parse_stamp(row[0])
            return found

        return self.database.read(read, {})

    def latest_reports(self, setup: str) -> tuple[datetime, list[DomainReport]] | None:
        """The full reports of the setup's newest run, and when it was made; None when there
        is none (or they cannot be read back, with a notice)."""

        def read(db: sqlite3.Connection) -> tuple[str, str] | None:
            row = db.execute("SELECT at, results FROM latest WHERE setup = ?", (setup,)).fetchone()
            return (row[0], row[1]) if row else None

        row = self.database.read(read, None)
        if row is None:
            return None
        # The result model loads when a setup is opened, not when the start list is shown.
        from wizard.core.results import DomainReport

        try:
            items = json.loads(row[1])
            reports = [DomainReport.from_json(item) for item in items]
        except (ValueError, TypeError) as error:
            self.notices.append(
                f"The last results of {setup!r} in {self.path} could not be read ({error})."
            )
            return None
        return _parse_stamp(row[0]), reports

    def served_before(
        self, setup: str, conditions: Sequence[str]
    ) -> dict[str, tuple[datetime, Served]]:
        """Per domain, when it last passed under these test settings and what it served
        then; empty when it never did (or the history cannot be read, with a notice)."""

        def read(db: sqlite3.Connection) -> dict[str, tuple[datetime, Served]]:
            rows = db.execute(
                "SELECT domain, at, target, digest, document FROM served "
                "WHERE setup = ? AND conditions = ?",
                (setup, _conditions_key(conditions)),
            )
            return {
                domain: (_parse_stamp(at), Served(target, digest, document))
                for domain, at, target, digest, document in rows
            }

        return self.database.read(read, {})

    def link_runs(self, setup: str, limit: int) -> list[LinkRun]:
        """The setup's newest applies and undos of account-link plans, newest first."""
        return self.database.read(lambda db: link_runs(db, setup, limit), [])

    def _pending(self, setup: str, legacy: Sequence[LegacyRun]) -> list[RecordedRun]:
        if not legacy:
            return []

        def read(db: sqlite3.Connection) -> set[str]:
            rows = db.execute(
                "SELECT legacy_key FROM runs WHERE setup = ? AND legacy_key IS NOT NULL", (setup,)
            )
            return {row[0] for row in rows}

        known: set[str] = self.database.read(read, set())
        return [item.run for item in legacy if item.key not in known]


def _run_from_row(db: sqlite3.Connection, row: tuple[Any, ...]) -> RecordedRun:
    run_id, at, ok, conditions = row
    outcomes = db.execute(
        "SELECT domain, ok, failure, unknown FROM results WHERE run_id = ? ORDER BY position",
        (run_id,),
    ).fetchall()
    return RecordedRun(
        at=_parse_stamp(at),
        ok=bool(ok),
        outcomes=tuple(Outcome(d, bool(o), f, bool(u)) for d, o, f, u in outcomes),
        conditions=tuple(json.loads(conditions)),
    )


def _checks_json(report: DomainReport) -> str:
    """The checks in brief: a warning or failure with its code, cause and summary, a pass or
    skip by its id and status. The advice follows from them, and the full reports of the
    newest run are kept in `latest`: a run stays a few hundred bytes."""
    kept = [
        {"id": c.id, "status": c.status, "code": c.code, "cause": c.cause, "summary": c.summary}
        if c.status in ("warn", "fail")
        else {"id": c.id, "status": c.status}
        for c in report.checks
    ]
    return json.dumps(kept, separators=(",", ":"))


def _conditions_key(conditions: Sequence[str]) -> str:
    return json.dumps(list(conditions))


def _stamp(at: datetime) -> str:
    # Microseconds and a fixed offset: text order is time order, and two runs in the same
    # second stay two runs.
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _whole_number(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip()
    return int(text) if text.isdigit() else default
