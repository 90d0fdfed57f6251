"""What `maid` prints: a plan's summary, the progress of its writes (on stderr) and their
outcome, each user not written named with why."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wizard.core.shown import printable

if TYPE_CHECKING:
    from wizard.core.linking.plan import Plan, PlanItem
    from wizard.core.linking.writing import Finished, Result

# Problems listed per action in the plan's summary (--json lists all).
SHOWN_PER_ACTION = 10
# Without a terminal, a progress line per this many users.
PER_HUNDRED = 100


def plan_summary(plan: Plan, out: Path | None) -> str:
    source = plan.source
    if source.kind == "csv":
        left_out = f"; {source.left_out} naming a user without an account, left out"
        origin = f"from {source.file} ({source.rows} rows{left_out if source.left_out else ''})"
    else:
        origin = f"from each user's e-mail in {', '.join(plan.domains)} ({source.left_out} of "
        origin += f"{source.rows} users outside these domains or without an e-mail, left out)"
    lines = [
        f"Plan {short(plan.plan_id)} for JumpCloud organization {plan.org_id}, setup "
        f"{plan.setup}, {origin}:"
    ]
    notes = {
        "set": "to write: no account yet",
        "overwrite": "to write: replaces the account held",
        "unchanged": "already as planned",
        "conflict": "skipped: holds another account (plan --overwrite to replace)",
        "duplicate": "skipped: the account is on or planned for another user too",
        "invalid": "skipped: not usable (why is given)",
        "unmatched": "skipped: no such JumpCloud user",
        "suspended": "skipped (plan --include-suspended to include)",
    }
    width = len(f"{max(plan.counts.values(), default=0):,}")
    for action, count in plan.counts.items():
        lines.append(f"  {action:<10} {count:>{width},}  {notes[action]}")
    for action in ("set", "overwrite", "conflict", "duplicate", "invalid", "unmatched"):
        items = [item for item in plan.items if item.action == action]
        if not items:
            continue
        lines.append(f"{action}:")
        lines += [f"  {item_line(item)}" for item in items[:SHOWN_PER_ACTION]]
        if len(items) > SHOWN_PER_ACTION:
            more = len(items) - SHOWN_PER_ACTION
            lines.append(f"  ... and {more:,} more (--json or --out lists every item)")
    writes = len(plan.writable())
    if out is not None:
        lines.append(
            f"Written to {out} (mode 0600). Nothing was written to JumpCloud. "
            + (f"To write the {writes:,}: adue-wizard maid apply {out}" if writes else "")
        )
    else:
        lines.append(
            "Nothing was written to JumpCloud. Save the plan with --out FILE, review it, "
            "then: adue-wizard maid apply FILE"
        )
    return "\n".join(printable(line) for line in lines)


def item_line(item: PlanItem) -> str:
    if item.email is None and item.user_id is None and item.reason:
        return item.reason  # a CSV row: its reason starts with its line
    who = item.email or item.user_id or "?"
    change = ""
    if item.action in ("set", "overwrite", "conflict"):
        change = f": {item.before or 'no account'} -> {item.after}"
    reason = f" ({item.reason})" if item.reason and item.action != "set" else ""
    return f"{who}{change}{reason}"


class ProgressLine:
    """On a terminal, one line redrawn (done/total, rate, time left); otherwise a line per
    hundred users, for a log. On stderr: stdout keeps the summary."""

    BAR = 24

    def __init__(self, verb: str, stream: TextIO) -> None:
        self.verb = verb
        self.stream = stream
        self.terminal = stream.isatty()
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        if self.terminal:
            if done < total and now - self.drawn < 0.1:
                return
            self.drawn = now
            filled = self.BAR * done // max(total, 1)
            left = (total - done) / rate if rate > 0 else 0.0
            bar = "#" * filled + "-" * (self.BAR - filled)
            self.stream.write(
                f"\r[{bar}] {done:,}/{total:,} {self.verb}  {rate:,.0f}/s  "
                f"{int(left) // 60}:{int(left) % 60:02d} left "
            )
            self.stream.flush()
            self.shown = True
        elif done % PER_HUNDRED == 0 or done == total:
            self.stream.write(f"{done:,} of {total:,} {self.verb} ({rate:,.0f}/s)\n")
            self.stream.flush()

    def close(self) -> None:
        if self.terminal and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def outcome_summary(finished: Finished, plan: Plan, sent: int) -> str:
    undo = finished.operation == "undo"
    labels: dict[Result, str] = {
        "written": "written",
        "put_back": "put back",
        "already_done": "already done",
        "already_undone": "already as before the plan",
        "changed_since_plan": "changed since the plan (left alone)",
        "changed_since_apply": "changed by someone else since (left alone)",
        "not_found": "no longer in JumpCloud",
        "refused": "refused",
        "unknown": "without an answer",
        "not_attempted": "not sent",
    }
    counts = [
        f"{finished.count(result):,} {label}"
        for result, label in labels.items()
        if finished.count(result)
    ]
    lines: list[str] = []
    if sent == 0:
        done = "undone" if undo else "applied"
        lines.append(
            f"Nothing to write: plan {short(plan.plan_id)} is {done} already."
            if finished.ok
            else f"Nothing left to write for plan {short(plan.plan_id)}."
        )
    lines.append(", ".join(counts) + "." if counts else "No user to write.")
    for item in finished.not_good():
        who = item.email or item.user_id
        lines.append(f"  {item.result:<19} {who} ({item.user_id}): {item.detail}")
    if finished.stopped:
        again = "undo" if undo else "apply"
        lines.append(
            f"Stopped: {finished.stopped}. Run `adue-wizard maid {again}` with the same plan "
            "again to continue: it reads every user first, so nothing is written twice."
        )
    return "\n".join(printable(line) for line in lines)


def short(plan_id: str) -> str:
    from wizard.core.setups.link_history import short_plan_id

    return short_plan_id(plan_id)
