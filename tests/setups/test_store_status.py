"""Saved progress: atomic 0600 files in a 0700 folder, damaged files moved aside, two writers
that do not lose each other's runs; and `status` / `verify --setup` on top of it."""

from __future__ import annotations

import json
import multiprocessing
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.commands import run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store, state_dir

STATUS_KEYS = {
    "name",
    "mdm",
    "provider",
    "org_id",
    "domains",
    "method",
    "platform",
    "step",
    "last_verified_at",
    "last_failure",
}


def test_files_are_private_and_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    store = Store(folder)
    setup = SetupState(name="a.example", domains=["a.example"], org_id=ORG_ID, method="redirect")
    path = store.save(setup)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Store(folder).load("a.example") == setup
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [
        "a.example.setup.json"
    ]


def test_state_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADUE_WIZARD_STATE_DIR", str(tmp_path / "from-env"))
    assert state_dir() == tmp_path / "from-env"
    assert state_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def test_a_newer_schema_is_moved_aside_not_misread(tmp_path: Path) -> None:
    data = SetupState(name="x.example").model_dump(mode="json") | {"schema_version": 99}
    (tmp_path / "x.example.setup.json").write_text(json.dumps(data))
    store = Store(tmp_path)
    assert store.load_all() == []
    assert "schema version 99" in store.notices[0]
    assert list(tmp_path.glob("x.example.setup.json.corrupt-*"))


def _record_runs(folder: str, worker: int, runs: int) -> None:
    store = Store(Path(folder))
    for number in range(runs):
        setup = store.load("shared.example")
        assert setup is not None
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=worker * 1000 + number)
        record(store, setup, [report_of("shared.example")], at)


def _record_the_first_run(folder: str, worker: int, start: Any) -> None:
    store = Store(Path(folder))
    setup = SetupState(name="shared.example", domains=["shared.example"])
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=worker)
    start.wait()  # all at the same instant, on a history that does not exist yet
    record(store, setup, [report_of("shared.example")], at)


def test_instances_recording_a_new_historys_first_run_at_once_keep_every_run(
    tmp_path: Path,
) -> None:
    """The wizard and a cron job recording the first run together: SQLite answered some of
    them "database is locked" at once, without waiting, while they all switched the new
    database to WAL. Eighty trials: without the fix, fifty of them failed four times in five."""
    context = multiprocessing.get_context("fork")  # fork: the trials stay quick
    instances = 8
    for trial in range(80):
        folder = tmp_path / f"trial-{trial}"
        Store(folder).save(SetupState(name="shared.example", domains=["shared.example"]))
        start = context.Barrier(instances)
        workers = [
            context.Process(target=_record_the_first_run, args=(str(folder), worker, start))
            for worker in range(instances)
        ]
        for process in workers:
            process.start()
        for process in workers:
            process.join(60)
        assert [process.exitcode for process in workers] == [0] * instances, trial
        assert Store(folder).history.summary("shared.example").runs == instances


def test_two_instances_do_not_corrupt_or_lose_runs(tmp_path: Path) -> None:
    Store(tmp_path).save(SetupState(name="shared.example", domains=["shared.example"]))
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_record_runs, args=(str(tmp_path), worker, 15)) for worker in (1, 2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    final = Store(tmp_path).load("shared.example")
    assert final is not None
    assert final.summary.runs == 30  # every run of both instances survived
    assert not list(tmp_path.glob("*.tmp"))


def test_status_json_lists_every_setup(tmp_path: Path) -> None:
    store = Store(tmp_path)
    passed = SetupState(name="a.example", domains=["a.example"], org_id=ORG_ID, step="done")
    failed = SetupState(name="b.example", domains=["b.example"], provider="generic")
    store.save(passed)
    store.save(failed)
    record(store, passed, [report_of("a.example")])
    record(store, failed, [report_of("b.example", "bad_status")])
    (tmp_path / "broken.setup.json").write_text("{")
    (tmp_path / "unrelated.json").write_text("{")  # not a setup: left alone
    result = run_cli("status", "--json", state=tmp_path)
    assert result.returncode == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"a.example", "b.example"}
    assert all(set(row) >= STATUS_KEYS for row in rows.values())
    assert rows["a.example"]["last_failure"] is None and rows["a.example"]["step"] == "done"
    assert rows["a.example"]["last_verified_at"] is not None
    assert rows["b.example"]["last_failure"] == "bad_status"
    assert "broken" in result.stderr and "moved it to" in result.stderr
    assert (tmp_path / "unrelated.json").read_text() == "{"
    readable = run_cli("status", "--state-dir", str(tmp_path), state=tmp_path / "elsewhere")
    assert "a.example" in readable.stdout and "FAILED (bad_status)" in readable.stdout


def test_status_with_no_setups(tmp_path: Path) -> None:
    result = run_cli("status", "--json", state=tmp_path / "empty")
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_verify_setup_uses_its_settings_and_records_the_run(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = SetupState(
        name=DOMAIN,
        domains=[DOMAIN],
        org_id=ORG_ID,
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), user="ada"
        ),
    )
    Store(tmp_path).save(setup)
    # Plain `verify` with exactly one saved setup checks that setup.
    result = run_cli("verify", "--json", state=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["domain"] == DOMAIN
    assert server.requests[-1].query["user-identifier"] == [f"ada@{DOMAIN}"]
    named = run_cli("verify", "--setup", DOMAIN, state=tmp_path)
    assert named.returncode == 0 and f"{DOMAIN}: PASS" in named.stdout
    # Options given on the command line win for this run; the saved ones fill the rest.
    override = run_cli(
        "verify", "--setup", DOMAIN, "--model-family", "iPad", "--user", "bob", state=tmp_path
    )
    assert override.returncode == 0, override.stderr
    assert server.requests[-1].query["model-family"] == ["iPad"]
    assert server.requests[-1].query["user-identifier"] == [f"bob@{DOMAIN}"]
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None and stored.summary.runs == 3 and stored.last_failure is None
    assert stored.settings.user == "ada"  # the saved settings are not changed


def test_verify_setup_errors(tmp_path: Path) -> None:
    missing = run_cli("verify", "--setup", "nope", state=tmp_path)
    assert missing.returncode == 2 and "no saved setup named 'nope'" in missing.stderr
    Store(tmp_path).save(SetupState(name="one.example", domains=["one.example"]))
    Store(tmp_path).save(SetupState(name="two.example", domains=["two.example"]))
    ambiguous = run_cli("verify", state=tmp_path)
    assert ambiguous.returncode == 2
    assert "one.example, two.example" in ambiguous.stderr
    assert len(ambiguous.stderr.strip().splitlines()) == 1
