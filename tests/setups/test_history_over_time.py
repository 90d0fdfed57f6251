"""The history of runs over time: 0.1.0's setup files, which kept their runs inside the file
(merged by one-second time stamps), open and move their runs into the database, once even
with two instances at it; retention keeps recent runs, the last N and the last pass; and
the `history` command lists the runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

# -- 0.1.0's files: runs inside the setup file --------------------------------------------


def _schema_1_file(folder: Path, runs: int) -> Path:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    history = [
        {
            "at": (start + timedelta(minutes=n)).isoformat(),
            "outcomes": [
                {"domain": DOMAIN, "ok": n % 3 != 2, "failure": None if n % 3 != 2 else "timeout"}
            ],
        }
        for n in range(runs)
    ]
    data = {
        "schema_version": 1,
        "name": DOMAIN,
        "domains": [DOMAIN],
        "org_id": ORG_ID,
        "step": "verify",
        "last_results": [{"domain": DOMAIN, "ok": False, "failure": "timeout", "checks": []}],
        "last_verified_at": history[-1]["at"],
        "history": history,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DOMAIN}.setup.json"
    path.write_text(json.dumps(data))
    return path


def test_a_schema_1_setup_opens_and_its_runs_move_into_the_database(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    path = _schema_1_file(tmp_path, 30)  # the last of them failed: failing since then
    before = run_cli("history", DOMAIN, "--json", "--limit", "100", state=tmp_path)
    assert len(before.stdout.splitlines()) == 30
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["runs"] == 30 and row["last_failure"] == "timeout"
    assert row["failing_since"] == datetime(2026, 1, 1, 0, 29, tzinfo=UTC).isoformat()
    assert json.loads(path.read_text())["schema_version"] == 1  # reading changes nothing
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli(
        "verify",
        "--setup",
        DOMAIN,
        "--connect-to",
        f":443:127.0.0.1:{server.port}",
        "--ca-bundle",
        str(ca_bundle),
        state=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    saved = json.loads(path.read_text())
    assert saved["schema_version"] == 2 and "history" not in saved
    after = run_cli("history", DOMAIN, "--json", "--limit", "100", state=tmp_path)
    runs = [json.loads(line) for line in after.stdout.splitlines()]
    assert len(runs) == 31 and runs[0]["ok"]
    assert [run["at"] for run in runs[1:]] == [
        json.loads(line)["at"] for line in before.stdout.splitlines()
    ]
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["failing_since"] is None and row["runs"] == 31


def test_two_instances_migrating_together_add_each_run_once(tmp_path: Path) -> None:
    _schema_1_file(tmp_path, 10)
    first, second = Store(tmp_path), Store(tmp_path)
    one, two = first.load(DOMAIN), second.load(DOMAIN)
    assert one is not None and two is not None
    first.save(one)
    second.save(two)  # still holds the schema-1 runs in memory
    assert Store(tmp_path).load(DOMAIN).summary.runs == 10  # type: ignore[union-attr]


# -- retention --------------------------------------------------------------------------


def test_retention_keeps_recent_runs_the_last_n_and_the_last_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADUE_WIZARD_KEEP_DAYS", "1")
    monkeypatch.setenv("ADUE_WIZARD_KEEP_RUNS", "3")
    store = Store(tmp_path)
    setup = SetupState(name="a.example", domains=["a.example"])
    store.save(setup)
    old = datetime.now(UTC) - timedelta(days=30)
    record(store, setup, [report_of("a.example")], old)  # the last pass
    for n in range(10):
        failed = report_of("a.example", "bad_status")
        record(store, setup, [failed], old + timedelta(hours=n + 1))
    assert store.load("a.example").summary.runs == 4  # type: ignore[union-attr]
    for n in range(5):
        recent = report_of("a.example", "timeout")
        record(store, setup, [recent], datetime.now(UTC) - timedelta(minutes=n))
    loaded = Store(tmp_path).load("a.example")
    assert loaded is not None
    assert loaded.summary.runs == 6  # every run of the last day, and the last pass
    assert loaded.summary.last_passed_at == old.replace(microsecond=old.microsecond)


def test_history_command(tmp_path: Path) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="a.example", domains=["a.example", "b.example"])
    store.save(setup)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(60):
        results = [
            report_of("a.example"),
            report_of("b.example", None if n % 2 == 0 else "bad_json"),
        ]
        store.record_run(
            setup,
            results,
            ["--connect-to a.example:443:127.0.0.1:8443"] if n == 59 else [],
            start + timedelta(minutes=n),
        )
    text = run_cli("history", "a.example", state=tmp_path)
    header, *lines = text.stdout.splitlines()
    assert header == "a.example: MDM JumpCloud (jumpcloud)"
    assert len(lines) == 50  # --limit defaults to 50
    assert lines[0].startswith("2026-03-01 00:59:00 UTC  FAILED  b.example bad_json")
    assert lines[0].endswith("  (under test settings)")  # the settings: history --json
    assert all(len(line) <= 100 for line in lines)
    assert lines[1] == "2026-03-01 00:58:00 UTC  passed"
    as_json = run_cli("history", "a.example", "--json", "--limit", "2", state=tmp_path)
    first, second = (json.loads(line) for line in as_json.stdout.splitlines())
    assert set(first) == {"at", "ok", "unknown", "outcomes", "conditions"}
    assert first["outcomes"][1] == {
        "domain": "b.example",
        "ok": False,
        "unknown": False,
        "failure": "bad_json",
    }
    assert second["conditions"] == [] and second["ok"]
    for bad in (["--limit", "0"], ["--limit", "-3"]):
        refused = run_cli("history", "a.example", *bad, state=tmp_path)
        assert refused.returncode == 2 and refused.stdout == ""
        assert "must be 1 or more" in one_line(refused.stderr)  # one bound, whatever the value
    missing = run_cli("history", "nope.example", state=tmp_path)
    assert missing.returncode == 2 and "no saved setup named" in one_line(missing.stderr)
