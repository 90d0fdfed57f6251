"""What a script asks of the history: `status --json`'s `last_warnings` (an expiring
certificate before it fails), `history --since` (a time back or a date) and `history
--changes` (only the runs where a domain's state changed; the first run counts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.verifying import report_of
from wizard.core.codes import CheckId, Code
from wizard.core.results import Check, DomainReport
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

A, B = "a.example.test", "b.example.test"


def warned(domain: str, *codes: Code) -> DomainReport:
    """A passing report with these warnings."""
    report = DomainReport(domain)
    report.checks += [Check(CheckId.CONNECT, "warn", f"warned: {code}", code) for code in codes]
    return report


def test_status_json_names_the_warnings_of_the_last_run(tmp_path: Path) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="acme", domains=[A, B])
    store.save(setup)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    store.record_run(setup, [warned(A, Code.QUERY_NOT_FORWARDED), report_of(B)], [], earlier)
    store.record_run(
        setup,
        [warned(A, Code.CERT_EXPIRING, Code.TLS_NO_EMS), warned(B, Code.CERT_EXPIRING)],
        [],
    )
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    # The last run's only, each once; it passed all the same.
    assert row["last_warnings"] == ["cert_expiring", "tls_no_ems"]
    assert row["last_failure"] is None
    text = run_cli("status", state=tmp_path).stdout
    assert "warnings: cert_expiring, tls_no_ems" in text

    store.record_run(setup, [report_of(A), report_of(B, "bad_status")], [])
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["last_warnings"] == [] and row["last_failure"] == "bad_status"
    Store(tmp_path).save(SetupState(name="fresh", domains=[A]))
    fresh = [r for r in json.loads(run_cli("status", "--json", state=tmp_path).stdout)]
    assert {r["name"]: r["last_warnings"] for r in fresh} == {"acme": [], "fresh": []}


def history_of(tmp_path: Path, runs: list[tuple[timedelta, list[DomainReport]]]) -> None:
    """A setup `acme` with runs made that long ago."""
    store = Store(tmp_path)
    setup = SetupState(name="acme", domains=[A, B])
    store.save(setup)
    now = datetime.now(UTC)
    for ago, reports in runs:
        store.record_run(setup, reports, [], now - ago)


def shown(tmp_path: Path, *arguments: str) -> list[dict[str, Any]]:
    result = run_cli("history", "acme", "--json", *arguments, state=tmp_path)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_history_since_a_time_back_or_a_date(tmp_path: Path) -> None:
    days = [timedelta(days=n, minutes=1) for n in (30, 8, 6, 1, 0)]
    history_of(tmp_path, [(ago, [report_of(A), report_of(B)]) for ago in days])
    assert len(shown(tmp_path)) == 5
    assert len(shown(tmp_path, "--since", "7d")) == 3
    assert len(shown(tmp_path, "--since", "1w")) == 3
    assert len(shown(tmp_path, "--since", "36h")) == 2
    assert len(shown(tmp_path, "--since", "90m")) == 1
    assert len(shown(tmp_path, "--since", "30s")) == 0
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    assert len(shown(tmp_path, "--since", ten_days_ago)) == 4
    with_offset = (datetime.now(UTC) - timedelta(days=7)).astimezone().isoformat()
    assert len(shown(tmp_path, "--since", with_offset)) == 3
    # --limit still caps what is shown, newest first.
    [newest] = shown(tmp_path, "--since", "7d", "--limit", "1")
    assert newest == shown(tmp_path)[0]
    text = run_cli("history", "acme", "--since", "30s", state=tmp_path)
    assert "acme: no runs since " in text.stdout


@pytest.mark.parametrize("value", ["7", "7y", "-3d", "yesterday", "2025-13-01", "99999999999w"])
def test_history_since_refuses_what_it_cannot_read_in_one_line(tmp_path: Path, value: str) -> None:
    history_of(tmp_path, [])
    result = run_cli("history", "acme", f"--since={value}", state=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "is neither a time back (90m, 12h, 7d, 2w) nor a date" in one_line(result.stderr)


def test_history_changes_shows_only_the_runs_where_a_state_changed(tmp_path: Path) -> None:
    sequence = [
        [report_of(A), report_of(B)],  # first run: both are changes
        [report_of(A), report_of(B)],  # same
        [report_of(A), report_of(B, "bad_status")],  # B fails
        [report_of(A), report_of(B, "bad_status")],  # same failure
        [report_of(A), report_of(B, "bad_content_type")],  # another failure code
        [warned(A, Code.CERT_EXPIRING), report_of(B)],  # B passes again; a warning is no change
    ]
    history_of(tmp_path, [(timedelta(hours=6 - n), reports) for n, reports in enumerate(sequence)])
    changes = shown(tmp_path, "--changes")
    assert [run["changes"] for run in changes] == [
        [{"domain": B, "from": "bad_content_type", "to": "pass"}],
        [{"domain": B, "from": "bad_status", "to": "bad_content_type"}],
        [{"domain": B, "from": "pass", "to": "bad_status"}],
        [{"domain": A, "from": None, "to": "pass"}, {"domain": B, "from": None, "to": "pass"}],
    ]
    # Since a time: the first run in the window is compared with the one before it.
    recent = shown(tmp_path, "--changes", "--since", "150m")
    assert [run["changes"][0]["to"] for run in recent] == ["pass", "bad_content_type"]
    assert len(shown(tmp_path, "--changes", "--limit", "1")) == 1
    text = run_cli("history", "acme", "--changes", state=tmp_path).stdout.splitlines()
    # The MDM line, then each of the four runs with its changes on a line of its own (each
    # line within 100 columns).
    assert len(text) == 9
    assert text[-1] == f"    changed: {A} first run -> pass, {B} first run -> pass"
    assert "passed" in text[-2]
    assert text[-3] == f"    changed: {B} pass -> bad_status"
    assert all(len(line) <= 100 for line in text)
