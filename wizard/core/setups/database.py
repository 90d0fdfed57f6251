"""The state folder's SQLite database (`history.sqlite3`): one connection per process, shared
safely by every writer on the machine, and never a reason to stop.

Why SQLite (the standard library's `sqlite3`): several writers at once (the wizard, a cron
job, a second terminal) must never lose a write. WAL mode with a busy timeout lets writers
queue instead of failing; a write is one IMMEDIATE transaction; `synchronous = FULL` keeps it
through a power cut. The schema is versioned (`PRAGMA user_version`): each version's
statements run once, in one transaction.

A file SQLite reports as damaged (not a database, malformed) is moved aside with a
timestamp, reported in one line, and replaced by a new one; a FIFO, device or link in its
place is set aside the same way, never opened.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from wizard.core.setups.files import SaveError, move_aside

DATABASE_NAME = "history.sqlite3"
BUSY_TIMEOUT_S = 30.0
# SQLite's result codes for a file that is not (or no longer) a sound database.
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
CANNOT_READ = "Cannot read the run history in"

T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], T]


class StateDatabase:
    """The database in `folder`; `migrations[n]` are the statements that take its schema
    from version n to n + 1 (statements, not a script: a trigger body holds semicolons).

    Each thread has a connection of its own (the wizard reads on its UI thread and writes in
    workers): SQLite's WAL lets them read and write at once, where one shared connection
    would make every read wait for a write."""

    def __init__(self, folder: Path, migrations: Sequence[Sequence[str]]) -> None:
        self.folder = folder
        self.migrations = migrations
        self.notices: list[str] = []
        self._connections: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.folder / DATABASE_NAME

    def write(self, operation: Operation[T], what: str = "record the run") -> T:
        """Run `operation` in one write transaction; SaveError ("could not {what} in ...")
        when the database cannot be written."""

        def in_transaction(db: sqlite3.Connection) -> T:
            with transaction(db):
                return operation(db)

        try:
            return self._with_database(in_transaction, create=True)
        except (sqlite3.Error, OSError) as error:
            # This one line supersedes any "cannot read" notice about the same file.
            self.notices[:] = [n for n in self.notices if not n.startswith(CANNOT_READ)]
            raise SaveError(f"could not {what} in {self.path}: {reason(error)}") from None

    def read(self, operation: Operation[T], empty: T) -> T:
        """`operation`'s answer, or `empty` (with a one-line notice) when there is no
        database yet or it cannot be read."""
        if not self.path.exists() and not self.path.is_symlink():
            return empty
        try:
            return self._with_database(operation, create=False)
        except (sqlite3.Error, OSError) as error:
            notice = f"{CANNOT_READ} {self.path}: {reason(error)}"
            if notice not in self.notices:
                self.notices.append(notice)
            return empty

    def close(self) -> None:
        """Close every thread's connection (each at its own thread's next use is reopened)."""
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            connection.close()

    def _with_database(self, operation: Operation[T], *, create: bool) -> T:
        for attempt in (1, 2):
            try:
                # After a damaged file was set aside, a new one is created even to read.
                return operation(self._connect(create or attempt == 2))
            except sqlite3.DatabaseError as error:
                if attempt == 2 or getattr(error, "sqlite_errorcode", None) not in _DAMAGED_CODES:
                    raise
                self._set_aside(reason(error))
        raise AssertionError("unreachable")

    def _connect(self, create: bool) -> sqlite3.Connection:
        thread = threading.get_ident()
        with self._lock:
            connection = self._connections.get(thread)
        if connection is not None:
            return connection
        path = self.path
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(path.lstat().st_mode):
                # A FIFO would hang SQLite and a device or link is not ours: set it aside.
                self._set_aside("not a regular file")
        if create:
            # Created 0600 here: SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        uri = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
        # check_same_thread off: close() may close it from another thread, never use it.
        db = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _use_wal(db)
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        with self._lock:
            self._connections[thread] = db
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        # A reader or writer that finds the schema current skips the write transaction.
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version >= len(self.migrations):
            return
        with transaction(db):  # (executescript would commit before running)
            (version,) = db.execute("PRAGMA user_version").fetchone()
            for statements in self.migrations[version:]:
                for statement in statements:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {len(self.migrations)}")

    def _set_aside(self, why: str) -> None:
        self.close()
        where = move_aside(self.path)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
        self.notices.append(
            f"The run history {self.path.name} could not be read ({why}); {where}; "
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
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock up front, so two writers queue (busy timeout) instead
    # of one failing halfway with SQLITE_BUSY.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__
