"""Verification history: every recorded run of every setup, in one SQLite database.

Why SQLite (the standard library's `sqlite3`): several writers at once (the wizard, a cron
job, a second terminal) must never lose a run, and recording a run must cost the same with
ten or a million runs behind it. WAL mode with a busy timeout lets writers queue instead of
failing; each run is one transaction; every query walks an index on (setup, at), so neither
recording nor retention reads the whole history.

Tables: `runs` (one row per run: setup, when, ok, the test conditions in effect), `results`
(one row per domain per run: ok, failure code, the checks as JSON) and `latest` (per setup,
the full results of its newest run, for the wizard's Verify step and the Markdown report).

A database that SQLite reports as damaged (not a database, malformed) is moved aside with a
timestamp, reported in one line, and replaced by a new one; the setups themselves live in
their own files and still open.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from wizard.core.setups.files import SaveError, move_aside

DATABASE_NAME = "history.sqlite3"
KEEP_DAYS_VARIABLE = "ADUE_WIZARD_KEEP_DAYS"
KEEP_RUNS_VARIABLE = "ADUE_WIZARD_KEEP_RUNS"
BUSY_TIMEOUT_S = 30.0
# SQLite's result codes for a file that is not (or no longer) a sound database.
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB

# The database's own schema version (PRAGMA user_version): a reader or writer that finds it
# current skips the CREATE statements and their write transaction.
_SCHEMA_VERSION = 1
# Statements, not a script: a trigger body holds semicolons of its own.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        setup TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        conditions TEXT NOT NULL DEFAULT '[]',
        legacy_key TEXT UNIQUE
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_setup ON runs (setup, at, id)",
    "CREATE INDEX IF NOT EXISTS passing_runs_by_setup ON runs (setup, at, id) WHERE ok = 1",
    """CREATE TABLE IF NOT EXISTS results (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        domain TEXT NOT NULL,
        ok INTEGER NOT NULL,
        failure TEXT,
        checks TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
    )""",
    """CREATE TABLE IF NOT EXISTS latest (
        setup TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        results TEXT NOT NULL
    )""",
    # Kept by triggers, so "runs kept" is one row to read, not a count over the history.
    "CREATE TABLE IF NOT EXISTS run_counts (setup TEXT PRIMARY KEY, runs INTEGER NOT NULL)",
    """CREATE TRIGGER IF NOT EXISTS count_added AFTER INSERT ON runs BEGIN
        INSERT OR IGNORE INTO run_counts (setup, runs) VALUES (NEW.setup, 0);
        UPDATE run_counts SET runs = runs + 1 WHERE setup = NEW.setup;
    END""",
    """CREATE TRIGGER IF NOT EXISTS count_removed AFTER DELETE ON runs BEGIN
        UPDATE run_counts SET runs = runs - 1 WHERE setup = OLD.setup;
    END""",
    """CREATE TRIGGER IF NOT EXISTS count_renamed AFTER UPDATE OF setup ON runs BEGIN
        UPDATE run_counts SET runs = runs - 1 WHERE setup = OLD.setup;
        INSERT OR IGNORE INTO run_counts (setup, runs) VALUES (NEW.setup, 0);
        UPDATE run_counts SET runs = runs + 1 WHERE setup = NEW.setup;
    END""",
)

T = TypeVar("T")
_CANNOT_READ = "Cannot read the run history in"


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


@dataclass(frozen=True)
class Outcome:
    domain: str
    ok: bool
    failure: str | None


@dataclass(frozen=True)
class RecordedRun:
    at: datetime
    ok: bool
    outcomes: tuple[Outcome, ...]
    conditions: tuple[str, ...] = ()
    # The results' checks (JSON-ready dicts), only where a caller asked for them.
    checks: tuple[list[dict[str, Any]], ...] = ()

    def as_json(self) -> dict[str, Any]:
        """`adue-wizard history --json`: {"at", "ok", "outcomes", "conditions"}."""
        return {
            "at": self.at.isoformat(),
            "ok": self.ok,
            "outcomes": [
                {"domain": o.domain, "ok": o.ok, "failure": o.failure} for o in self.outcomes
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


@dataclass
class LegacyRun:
    """A run kept inside a setup file by version 0.1.0 (schema 1), not yet in the database."""

    key: str
    run: RecordedRun


@dataclass
class RunHistory:
    folder: Path
    retention: Retention = field(default_factory=Retention.from_environment)
    notices: list[str] = field(default_factory=list)
    _connection: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        return self.folder / DATABASE_NAME

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        setup: str,
        results: Sequence[dict[str, Any]],
        conditions: Sequence[str],
        at: datetime,
    ) -> None:
        """Record one run (each result as `verify --json` prints it) in one transaction."""

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                self._insert(db, setup, at, results, conditions, legacy_key=None)
                self._prune(db, setup)

        self._writing(write)

    def import_legacy(
        self, setup: str, runs: Sequence[LegacyRun], latest: Sequence[dict[str, Any]]
    ) -> None:
        """Move a schema-1 file's runs in, once: each carries a key, so a second import (two
        instances migrating together, or a migration cut short) adds nothing twice."""

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                for legacy in runs:
                    results: list[dict[str, Any]] = [
                        {"domain": o.domain, "ok": o.ok, "failure": o.failure, "checks": []}
                        for o in legacy.run.outcomes
                    ]
                    self._insert(db, setup, legacy.run.at, results, (), legacy.key, latest=False)
                if latest and runs:
                    self._set_latest(db, setup, max(r.run.at for r in runs), latest)
                self._prune(db, setup)

        self._writing(write)

    def rename(self, old: str, new: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("UPDATE runs SET setup = ? WHERE setup = ?", (new, old))
                db.execute("DELETE FROM latest WHERE setup = ?", (new,))
                db.execute("UPDATE latest SET setup = ? WHERE setup = ?", (new, old))

        if self.path.exists():
            self._writing(write)

    def _insert(
        self,
        db: sqlite3.Connection,
        setup: str,
        at: datetime,
        results: Sequence[dict[str, Any]],
        conditions: Sequence[str],
        legacy_key: str | None,
        *,
        latest: bool = True,
    ) -> None:
        ok = all(bool(result.get("ok")) for result in results)
        cursor = db.execute(
            "INSERT OR IGNORE INTO runs (setup, at, ok, conditions, legacy_key) "
            "VALUES (?, ?, ?, ?, ?)",
            (setup, _stamp(at), int(ok), json.dumps(list(conditions)), legacy_key),
        )
        if cursor.rowcount == 0:  # a legacy run imported before
            return
        db.executemany(
            "INSERT INTO results (run_id, position, domain, ok, failure, checks) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    cursor.lastrowid,
                    position,
                    str(result.get("domain", "")),
                    int(bool(result.get("ok"))),
                    result.get("failure"),
                    _checks_json(result.get("checks", [])),
                )
                for position, result in enumerate(results)
            ],
        )
        if latest:
            self._set_latest(db, setup, at, results)

    def _set_latest(
        self,
        db: sqlite3.Connection,
        setup: str,
        at: datetime,
        results: Sequence[dict[str, Any]],
    ) -> None:
        # Only a newer run replaces the latest results (a migrated run may be older).
        db.execute(
            "INSERT INTO latest (setup, at, results) VALUES (?, ?, ?) "
            "ON CONFLICT (setup) DO UPDATE SET at = excluded.at, results = excluded.results "
            "WHERE excluded.at >= latest.at",
            (setup, _stamp(at), json.dumps(list(results))),
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

    def runs(self, setup: str, limit: int, legacy: Sequence[LegacyRun] = ()) -> list[RecordedRun]:
        """The newest `limit` runs, newest first (a schema-1 file's runs included)."""

        def read(db: sqlite3.Connection) -> list[RecordedRun]:
            rows = db.execute(
                "SELECT id, at, ok, conditions, legacy_key FROM runs WHERE setup = ? "
                "ORDER BY at DESC, id DESC LIMIT ?",
                (setup, limit),
            ).fetchall()
            return [self._run_from_row(db, row) for row in rows]

        no_runs: list[RecordedRun] = []
        stored = self._reading(read, no_runs)
        known = self._legacy_keys(setup) if legacy else set()
        pending = [item.run for item in legacy if item.key not in known]
        merged = sorted([*stored, *pending], key=lambda run: run.at, reverse=True)
        return merged[:limit]

    def summary(self, setup: str, legacy: Sequence[LegacyRun] = ()) -> Summary:
        def read(db: sqlite3.Connection) -> Summary:
            counted = db.execute("SELECT runs FROM run_counts WHERE setup = ?", (setup,)).fetchone()
            count = counted[0] if counted else 0
            last = db.execute(
                "SELECT at, ok, conditions, id FROM runs WHERE setup = ? "
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
                first_fail = db.execute(
                    "SELECT at FROM runs WHERE setup = ? AND at > ? ORDER BY at, id LIMIT 1",
                    (setup, passed[0] if passed else ""),
                ).fetchone()
                failing_since = _parse_stamp(first_fail[0]) if first_fail else None
            return Summary(
                runs=count,
                last_at=_parse_stamp(last[0]) if last else None,
                last_ok=bool(last[1]) if last else None,
                last_passed_at=_parse_stamp(passed[0]) if passed else None,
                failing_since=failing_since,
                last_conditions=tuple(json.loads(last[2])) if last else (),
                last_failure=last_failure,
            )

        stored = self._reading(read, Summary())
        known = self._legacy_keys(setup) if legacy else set()
        pending = [item.run for item in legacy if item.key not in known]
        if not pending:
            return stored
        return _summarise(pending, stored, self.runs(setup, self.retention.runs, legacy))

    def latest_results(self, setup: str) -> tuple[datetime, list[dict[str, Any]]] | None:
        def read(db: sqlite3.Connection) -> tuple[datetime, list[dict[str, Any]]] | None:
            row = db.execute("SELECT at, results FROM latest WHERE setup = ?", (setup,)).fetchone()
            return (_parse_stamp(row[0]), json.loads(row[1])) if row else None

        return self._reading(read, None)

    def _legacy_keys(self, setup: str) -> set[str]:
        def read(db: sqlite3.Connection) -> set[str]:
            rows = db.execute(
                "SELECT legacy_key FROM runs WHERE setup = ? AND legacy_key IS NOT NULL", (setup,)
            )
            return {row[0] for row in rows}

        return self._reading(read, set())

    def _run_from_row(self, db: sqlite3.Connection, row: tuple[Any, ...]) -> RecordedRun:
        run_id, at, ok, conditions, _ = row
        outcomes = db.execute(
            "SELECT domain, ok, failure FROM results WHERE run_id = ? ORDER BY position",
            (run_id,),
        ).fetchall()
        return RecordedRun(
            at=_parse_stamp(at),
            ok=bool(ok),
            outcomes=tuple(Outcome(d, bool(o), f) for d, o, f in outcomes),
            conditions=tuple(json.loads(conditions)),
        )

    # -- the connection, and what to do when the file is damaged or unwritable -----------

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _writing(self, operation: Callable[[sqlite3.Connection], None]) -> None:
        try:
            self._with_database(operation, create=True)
        except (sqlite3.Error, OSError) as error:
            # This one line supersedes any "cannot read" notice about the same file.
            self.notices[:] = [n for n in self.notices if not n.startswith(_CANNOT_READ)]
            raise SaveError(f"could not record the run in {self.path}: {_reason(error)}") from None

    def _reading(self, operation: Callable[[sqlite3.Connection], T], empty: T) -> T:
        if not self.path.exists() and not self.path.is_symlink():
            return empty
        try:
            return self._with_database(operation, create=False)
        except (sqlite3.Error, OSError) as error:
            notice = f"{_CANNOT_READ} {self.path}: {_reason(error)}"
            if notice not in self.notices:
                self.notices.append(notice)
            return empty

    def _with_database(self, operation: Callable[[sqlite3.Connection], T], *, create: bool) -> T:
        for attempt in (1, 2):
            try:
                # After a damaged file was set aside, a new one is created even to read.
                return operation(self._connect(create or attempt == 2))
            except sqlite3.DatabaseError as error:
                if attempt == 2 or getattr(error, "sqlite_errorcode", None) not in _DAMAGED_CODES:
                    raise
                self._set_aside(_reason(error))
        raise AssertionError("unreachable")

    def _connect(self, create: bool) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        path = self.path
        with contextlib.suppress(FileNotFoundError):
            mode = path.lstat().st_mode
            if not stat.S_ISREG(mode):
                # A FIFO would hang SQLite and a device or link is not ours: set it aside.
                self._set_aside("not a regular file")
        if create:
            # Created 0600 here: SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        uri = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _use_wal(db)
            # FULL: a recorded run survives a power cut, not only a killed process.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version < _SCHEMA_VERSION:  # a new database: tables first (one write, once)
                with _transaction(db):  # (executescript would commit before running)
                    for statement in _SCHEMA:
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        self._connection = db
        return db

    def _set_aside(self, reason: str) -> None:
        self.close()
        where = move_aside(self.path)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
        self.notices.append(
            f"The run history {self.path.name} could not be read ({reason}); {where}; "
            "starting a new history."
        )


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the database to WAL, waiting for other connections as the busy timeout does.

    Connections that open a new database at once all switch it, each holding a read lock
    and wanting the write lock; SQLite then answers SQLITE_BUSY at once rather than call the
    busy handler (it would deadlock), and a first run recorded by the wizard and a cron job
    together was lost. So the switch is tried again, briefly apart, until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    attempt = 0
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            busy = getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() >= deadline:
                raise
        attempt += 1
        time.sleep(min(0.05, 0.002 * attempt))


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock up front, so two writers queue (busy timeout) instead
    # of one failing halfway with SQLITE_BUSY.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _summarise(
    pending: Sequence[RecordedRun], stored: Summary, newest_first: Sequence[RecordedRun]
) -> Summary:
    """The summary of stored and not-yet-migrated runs together (rare: before the first
    write after an upgrade), computed from the runs themselves."""
    last = newest_first[0] if newest_first else None
    passed = next((run.at for run in newest_first if run.ok), None)
    failing_since = None
    if last is not None and not last.ok:
        failing = [run.at for run in newest_first if passed is None or run.at > passed]
        failing_since = min(failing) if failing else None
    return Summary(
        runs=stored.runs + len(pending),
        last_at=last.at if last else None,
        last_ok=last.ok if last else None,
        last_passed_at=passed,
        failing_since=failing_since,
        last_conditions=last.conditions if last else (),
        last_failure=next((o.failure or "failed" for o in last.outcomes if not o.ok), None)
        if last and not last.ok
        else None,
    )


def _checks_json(checks: object) -> str:
    """The checks as compact JSON: a warning or failure with its code and summary, a pass or
    skip by its id and status. Remedies follow from the codes (the catalogue), and the full
    results of the newest run are kept in `latest`: a run stays a few hundred bytes."""
    if not isinstance(checks, list):
        return "[]"
    kept = [
        {
            key: value
            for key, value in check.items()
            if key in ("id", "status", "code", "summary", "cause")
            and (check.get("status") in ("warn", "fail") or key in ("id", "status"))
        }
        for check in checks
        if isinstance(check, dict)
    ]
    return json.dumps(kept, separators=(",", ":"))


def _stamp(at: datetime) -> str:
    # Microseconds and a fixed offset: text order is time order, and two runs in the same
    # second stay two runs.
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _whole_number(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip()
    return int(text) if text.isdigit() else default
