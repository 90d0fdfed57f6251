"""The plans of Managed Apple Accounts applied to or undone in JumpCloud for a setup, as
`history NAME` and the Markdown report list them: when, how many users were written, by
which plan file.

Read from the journal tables `wizard.core.linking` writes (schema version 4 of the state
database, see `schema.MIGRATIONS`). Users written are counted from the journal's writes,
not from a total saved at the end, so a run that was killed still counts what it wrote.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Operation = Literal["apply", "undo"]


@dataclass(frozen=True)
class LinkRun:
    """One `maid apply` or `maid undo` (or the wizard's) of a plan.

    `written`: users JumpCloud confirmed; `uncertain`: writes sent whose answer never came
    (the next run of the plan re-reads them); `skipped` and `failed` as the run counted
    them at its end; `finished` is False for a run that stopped before its end (killed,
    interrupted). `plan_file` is None for a plan made in the wizard.
    """

    at: datetime
    operation: Operation
    plan_id: str
    plan_file: str | None
    written: int
    uncertain: int
    skipped: int
    failed: int
    finished: bool

    def describe(self) -> str:
        """e.g. "apply of plan sha256:0a1b2c3d4e5f (/home/admin/plan.json): 412 users
        written, 3 skipped" (plain text: the caller escapes it for where it goes)."""
        verb = "written" if self.operation == "apply" else "put back"
        source = self.plan_file if self.plan_file is not None else "made in the wizard"
        users = f"{self.written} user{'' if self.written == 1 else 's'} {verb}"
        parts = [f"{self.operation} of plan {short_plan_id(self.plan_id)} ({source}): {users}"]
        if self.uncertain:
            parts.append(f"{self.uncertain} unanswered")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.failed:
            parts.append(f"{self.failed} refused or failed")
        if not self.finished:
            parts.append("stopped before its end")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "operation": self.operation,
            "plan_id": self.plan_id,
            "plan_file": self.plan_file,
            "written": self.written,
            "uncertain": self.uncertain,
            "skipped": self.skipped,
            "failed": self.failed,
            "finished": self.finished,
        }


def short_plan_id(plan_id: str) -> str:
    """A plan's identity as people compare it: `sha256:` and 12 hex digits."""
    algorithm, _, digest = plan_id.partition(":")
    return f"{algorithm}:{digest[:12]}" if digest else plan_id[:19]


def link_runs(db: sqlite3.Connection, setup: str, limit: int) -> list[LinkRun]:
    """The setup's newest `limit` runs, newest first (an empty list before version 4)."""
    rows = db.execute(
        "SELECT r.id, r.started_at, r.operation, r.plan_id, r.plan_file, r.finished_at, "
        "r.skipped, r.failed, "
        "(SELECT count(*) FROM link_writes w WHERE w.run_id = r.id AND w.outcome = 'written'), "
        "(SELECT count(*) FROM link_writes w WHERE w.run_id = r.id "
        " AND (w.outcome IS NULL OR w.outcome = 'unknown')) "
        "FROM link_runs r WHERE r.setup = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
        (setup, limit),
    ).fetchall()
    return [
        LinkRun(
            at=datetime.fromisoformat(started_at),
            operation=operation,
            plan_id=plan_id,
            plan_file=plan_file,
            written=written,
            uncertain=uncertain,
            skipped=skipped,
            failed=failed,
            finished=finished_at is not None,
        )
        for (
            _id,
            started_at,
            operation,
            plan_id,
            plan_file,
            finished_at,
            skipped,
            failed,
            written,
            uncertain,
        ) in rows
    ]
