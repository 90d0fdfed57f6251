"""The journal of writes to JumpCloud, in the state folder's database: nothing is ever
half-known.

Each write is recorded before it is sent (the plan's identity, the user, the value found,
the value sent, when) and again once it is answered (`written`, `refused` with JumpCloud's
message, `unknown` when no answer says whether it was applied). A write recorded but never
answered was in flight when the run stopped; the next run re-reads the user to learn
whether it landed. The tables are the state database's version 4
(`wizard.core.setups.schema.MIGRATIONS`); `wizard.core.setups.link_history` lists them.

Recorded in batches (one transaction for many writes, since each commit waits for the
disk), always before any write of the batch is sent.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from wizard.core.linking.plan import Plan
from wizard.core.setups.database import StateDatabase
from wizard.core.setups.schema import MIGRATIONS

Operation = Literal["apply", "undo"]
# `not_sent`: recorded, then the run stopped before sending it (nothing was written).
Outcome = Literal["written", "refused", "unknown", "not_sent"]
# Outcomes after which JumpCloud may hold the value sent: no outcome yet is one of them.
MAYBE_APPLIED = frozenset([None, "written", "unknown"])


@dataclass(frozen=True)
class Intent:
    """A write about to be sent."""

    user_id: str
    before: str
    after: str


@dataclass(frozen=True)
class Answered:
    entry_id: int
    outcome: Outcome
    status: int | None
    answer: str | None


@dataclass(frozen=True)
class Entry:
    """A write as the journal knows it; `outcome` None: sent, never answered."""

    id: int
    operation: Operation
    before: str
    after: str
    at: datetime
    outcome: Outcome | None

    @property
    def maybe_applied(self) -> bool:
        return self.outcome in MAYBE_APPLIED


class Journal:
    """The journal in `folder`'s state database (the one the run history uses)."""

    def __init__(self, folder: Path) -> None:
        self.database = StateDatabase(folder, MIGRATIONS)

    def close(self) -> None:
        self.database.close()

    def start_run(self, plan: Plan, operation: Operation, plan_file: str | None) -> int:
        """Record the plan (once: its JSON, for resuming) and a run of it; the run's id."""

        def write(db: sqlite3.Connection) -> int:
            db.execute(
                "INSERT OR IGNORE INTO link_plans (plan_id, setup, org_id, api_url, "
                "created_at, plan) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    plan.plan_id,
                    plan.setup,
                    plan.org_id,
                    plan.api_url,
                    plan.created_at,
                    plan.dumps(),
                ),
            )
            cursor = db.execute(
                "INSERT INTO link_runs (plan_id, setup, operation, plan_file, started_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (plan.plan_id, plan.setup, operation, plan_file, _stamp()),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return self.database.write(write, "record the run in the journal")

    def intend(
        self, run_id: int, plan_id: str, operation: Operation, intents: list[Intent]
    ) -> list[int]:
        """Record writes about to be sent, in one transaction; their entry ids."""

        def write(db: sqlite3.Connection) -> list[int]:
            at = _stamp()
            ids = []
            for intent in intents:
                cursor = db.execute(
                    "INSERT INTO link_writes (run_id, plan_id, user_id, operation, before, "
                    "after, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (run_id, plan_id, intent.user_id, operation, intent.before, intent.after, at),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
            return ids

        return self.database.write(write, "record the writes in the journal")

    def answered(self, answers: list[Answered]) -> None:
        """Record answers, in one transaction."""
        if not answers:
            return
        at = _stamp()

        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "UPDATE link_writes SET answered_at = ?, outcome = ?, status = ?, answer = ? "
                "WHERE id = ?",
                [(at, a.outcome, a.status, a.answer, a.entry_id) for a in answers],
            )

        self.database.write(write, "record the answers in the journal")

    def finish_run(self, run_id: int, skipped: int, failed: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE link_runs SET finished_at = ?, skipped = ?, failed = ? WHERE id = ?",
                (_stamp(), skipped, failed, run_id),
            )

        self.database.write(write, "record the end of the run in the journal")

    def entries(self, plan_id: str) -> dict[str, list[Entry]]:
        """Every write of the plan, per user, oldest first."""

        def read(db: sqlite3.Connection) -> dict[str, list[Entry]]:
            found: dict[str, list[Entry]] = defaultdict(list)
            rows = db.execute(
                "SELECT id, user_id, operation, before, after, at, outcome FROM link_writes "
                "WHERE plan_id = ? ORDER BY id",
                (plan_id,),
            )
            for entry_id, user_id, operation, before, after, at, outcome in rows:
                found[user_id].append(
                    Entry(entry_id, operation, before, after, datetime.fromisoformat(at), outcome)
                )
            return dict(found)

        return self.database.read(read, {})

    def unfinished_plan(self, setup: str) -> tuple[str, datetime] | None:
        """When the last run for `setup` was an apply that stopped before its end (killed,
        or the wizard left): that plan's JSON and when the run started; else None."""

        def read(db: sqlite3.Connection) -> tuple[str, datetime] | None:
            row = db.execute(
                "SELECT p.plan, r.started_at, r.operation, r.finished_at FROM link_runs r "
                "JOIN link_plans p USING (plan_id) WHERE r.setup = ? "
                "ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
                (setup,),
            ).fetchone()
            if row is None or row[2] != "apply" or row[3] is not None:
                return None
            return row[0], datetime.fromisoformat(row[1])

        return self.database.read(read, None)


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
