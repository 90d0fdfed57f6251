"""Runs that say nothing about the domains (this machine could not resolve names): kept in
the history as runs that happened, never as the domain failing nor as a pass. "Failing since"
and "last passed" look past them, `status`, `history` and the start list say UNKNOWN."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.commands import run_cli
from tests.support.verifying import report_of
from wizard.core.results import DomainReport
from wizard.core.setups.runs import RecordedRun, Summary
from wizard.core.setups.schema import MIGRATIONS
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.start import describe

START = datetime(2026, 2, 1, tzinfo=UTC)
DOMAINS = ["a.example", "b.example"]


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def run_of(kind: str) -> list[DomainReport]:
    """Both domains passing, failing on their own, or not looked up from here."""
    failure = {"pass": None, "fail": "bad_json", "unknown": "resolver_failed"}[kind]
    return [report_of(domain, failure) for domain in DOMAINS]


def recorded(folder: Path, kinds: list[str]) -> SetupState:
    store = Store(folder)
    setup = SetupState(name="corp", domains=DOMAINS)
    store.save(setup)
    for minute, kind in enumerate(kinds):
        store.record_run(setup, run_of(kind), [], at(minute))
    loaded = store.load("corp")
    assert loaded is not None
    return loaded


def test_an_unknown_run_neither_starts_nor_ends_a_failure(tmp_path: Path) -> None:
    kinds = ["pass", "unknown", "fail", "unknown", "fail", "unknown"]
    summary = recorded(tmp_path, kinds).summary
    assert summary.runs == 6
    assert summary.last_at == at(5) and summary.last_unknown and not summary.last_ok
    assert summary.last_failure == "resolver_failed"
    assert summary.failing_since == at(2)  # the first failure: not the unknown run before it
    assert summary.last_passed_at == at(0)
    # What a screen shows at once agrees with what the database says afterwards.
    shown = Summary()
    for minute, kind in enumerate(kinds):
        shown = shown.after(RecordedRun.of(run_of(kind), [], at(minute)))
    assert shown == summary


def test_after_a_pass_an_unknown_run_is_not_failing(tmp_path: Path) -> None:
    setup = recorded(tmp_path, ["fail", "pass", "unknown"])
    summary = setup.summary
    assert summary.failing_since is None and summary.last_passed_at == at(1)
    assert summary.last_unknown
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["last_unknown"] is True and row["failing_since"] is None
    assert row["last_failure"] == "resolver_failed"
    text = run_cli("status", state=tmp_path).stdout
    assert "UNKNOWN (resolver_failed: this machine could not resolve names)" in text
    assert "FAILED" not in text and "failing since" not in text
    [listing] = Store(tmp_path).list_setups()
    assert "UNKNOWN resolver_failed" in describe(listing).plain


def test_a_known_failure_before_it_is_still_the_last_known_state(tmp_path: Path) -> None:
    recorded(tmp_path, ["pass", "fail", "unknown"])
    text = run_cli("status", state=tmp_path).stdout
    assert "UNKNOWN (resolver_failed" in text
    assert "last known: failing since 2026-02-01 00:01 UTC" in text


def test_one_domain_failing_on_its_own_makes_the_run_a_failure(tmp_path: Path) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="corp", domains=DOMAINS)
    store.save(setup)
    mixed = [report_of("a.example", "resolver_failed"), report_of("b.example", "bad_json")]
    store.record_run(setup, mixed, [], at(0))
    assert not setup.summary.last_unknown and setup.summary.failing_since == at(0)
    [run] = store.runs(setup, 5)
    assert not run.unknown and [o.unknown for o in run.outcomes] == [True, False]


def test_history_says_unknown_in_one_line(tmp_path: Path) -> None:
    recorded(tmp_path, ["fail", "unknown"])
    lines = run_cli("history", "corp", state=tmp_path).stdout.splitlines()
    assert lines[1] == (
        "2026-02-01 00:01:00 UTC  UNKNOWN  this machine could not resolve names: "
        "a.example, b.example"
    )
    assert lines[2] == "2026-02-01 00:00:00 UTC  FAILED  a.example bad_json, b.example bad_json"
    newest = json.loads(run_cli("history", "corp", "--json", state=tmp_path).stdout.splitlines()[0])
    assert newest["ok"] is False and newest["unknown"] is True
    assert all(outcome["unknown"] for outcome in newest["outcomes"])


def test_runs_recorded_before_this_version_read_as_known(tmp_path: Path) -> None:
    """A database made by the previous version (schema 1) gains the columns; its runs, all
    recorded as passes or failures, stay what they were."""
    database = sqlite3.connect(tmp_path / "history.sqlite3")
    for statement in MIGRATIONS[0]:
        database.execute(statement)
    database.execute("PRAGMA user_version = 1")
    database.execute(
        "INSERT INTO runs (setup, at, ok, conditions) VALUES ('corp', ?, 0, '[]')",
        (at(0).isoformat(timespec="microseconds"),),
    )
    database.execute(
        "INSERT INTO results (run_id, position, domain, ok, failure, checks) "
        "VALUES (1, 0, 'a.example', 0, 'invalid_domain', '[]')"
    )
    database.commit()
    database.close()
    setup = SetupState(name="corp", domains=DOMAINS)
    store = Store(tmp_path)
    store.save(setup)
    store.record_run(setup, run_of("unknown"), [], at(1))
    summary = setup.summary
    assert summary.runs == 2 and summary.failing_since == at(0) and summary.last_unknown
    older = store.runs(setup, 5)[-1]
    assert not older.unknown and older.outcomes[0].failure == "invalid_domain"
