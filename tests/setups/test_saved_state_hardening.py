"""Saved progress is never lost or corrupted, whatever runs at once and however it is killed,
and a saved file is as untrusted as a server.

Each test here failed on 0.1.0 (history merged by one-second time stamps inside the setup
file, unbounded reads, path-like names, raw escapes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.database import DATABASE_NAME
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store

ROOT = Path(__file__).resolve().parents[2]


# -- concurrent writers ------------------------------------------------------------------

RECORDER = """
import sys
from pathlib import Path
from tests.support.verifying import report_of
from wizard.core.setups.store import Store
store = Store(Path(sys.argv[1]))
setup = store.load("shared.example")
for number in range(int(sys.argv[2])):
    result = report_of("shared.example", None if number % 2 == 0 else "bad_status")
    store.record_run(setup, [result], [])
    print(number, flush=True)
"""


def test_eight_writers_in_the_same_second_keep_every_run(tmp_path: Path) -> None:
    Store(tmp_path).save(SetupState(name="shared.example", domains=["shared.example"]))
    writers = [
        subprocess.Popen([sys.executable, "-c", RECORDER, str(tmp_path), "4"], cwd=ROOT)
        for _ in range(8)
    ]
    assert all(writer.wait(60) == 0 for writer in writers)
    stored = Store(tmp_path).load("shared.example")
    assert stored is not None and stored.summary.runs == 32


def test_two_verify_setup_commands_at_once_both_recorded(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = SetupState(
        name=DOMAIN,
        domains=[DOMAIN],
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle)
        ),
    )
    Store(tmp_path).save(setup)
    env = {**os.environ, "ADUE_WIZARD_STATE_DIR": str(tmp_path)}
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "wizard", "verify", "--setup", DOMAIN, "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(4)
    ]
    assert [command.wait(60) for command in commands] == [0, 0, 0, 0]
    history = run_cli("history", DOMAIN, "--json", state=tmp_path)
    assert len(history.stdout.splitlines()) == 4


# -- kill -9 ------------------------------------------------------------------------------


def test_kill_9_during_saves_never_loses_a_recorded_run(tmp_path: Path) -> None:
    """A writer is killed at random moments, many times; every run it reported as recorded
    is still there, and the setup file always loads."""
    store = Store(tmp_path)
    store.save(SetupState(name="shared.example", domains=["shared.example"]))
    acknowledged = 0
    for attempt in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", RECORDER + SAVER, str(tmp_path), "100000"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        # Let it get going (past start-up), then kill it somewhere in the middle of a write.
        first = writer.stdout.readline()
        assert first.strip() == "0"
        time.sleep(0.05 + (attempt % 4) * 0.037)
        writer.send_signal(signal.SIGKILL)
        rest = writer.stdout.read()
        writer.wait()
        acknowledged += 1 + len(rest.splitlines())
        stored = Store(tmp_path).load("shared.example")
        assert stored is not None, Store(tmp_path).notices
        assert stored.summary.runs >= acknowledged
    assert not [path for path in tmp_path.iterdir() if ".corrupt-" in path.name]


# Each run also rewrites the setup file, so kills land inside atomic file writes as well.
SAVER = """
    store.save(setup)
"""


# -- damaged files of every kind --------------------------------------------------------


def _damaged_files(folder: Path) -> dict[str, str]:
    """Every kind of damaged setup file, by name; returns what each was."""
    kinds = {
        "truncated": b'{"schema_version": 2, "name": "trunc',
        "binary": bytes(range(256)),
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "shape": b'["not", "a", "setup"]',
        "future": json.dumps({"schema_version": 99, "name": "future"}).encode(),
        "wrong-types": json.dumps(
            {"schema_version": 2, "name": "wrong-types", "domains": 7}
        ).encode(),
    }
    for name, data in kinds.items():
        (folder / f"{name}.setup.json").write_bytes(data)
    with open(folder / "huge.setup.json", "wb") as huge:
        huge.truncate(65 * 1024 * 1024)  # sparse: larger than any setup file may be
    (folder / "folder.setup.json").mkdir()
    os.mkfifo(folder / "fifo.setup.json")
    (folder / "zero.setup.json").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe-target")
    (folder / "linked-fifo.setup.json").symlink_to(folder / "pipe-target")
    (folder / "dangling.setup.json").symlink_to(folder / "nowhere")
    return {name: name for name in [*kinds, "huge", "folder", "fifo", "zero", "linked-fifo"]}


def test_every_kind_of_damaged_file_is_moved_aside_in_one_line(tmp_path: Path) -> None:
    good = SetupState(name="good.example", domains=["good.example"], org_id=ORG_ID)
    Store(tmp_path).save(good)
    damaged = _damaged_files(tmp_path)
    result = run_cli("status", "--json", state=tmp_path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert [row["name"] for row in json.loads(result.stdout)] == ["good.example"]
    notices = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    for name in [*damaged, "dangling"]:
        [line] = [line for line in notices if f"'{name}'" in line]
        assert "could not be read" in line and "moved it to" in line
        assert list(tmp_path.glob(f"{name}.setup.json.corrupt-*")), name  # never deleted
        assert not (tmp_path / f"{name}.setup.json").exists()
    assert (tmp_path / "pipe-target").exists()  # a link is moved, never what it points to
    assert "nested too deeply" in next(line for line in notices if "'nested'" in line)
    assert "FIFO" in next(line for line in notices if "'fifo'" in line)
    # And the next start is clean.
    again = run_cli("status", state=tmp_path)
    assert again.returncode == 0 and again.stderr == ""


async def test_the_wizard_starts_with_damaged_files_beside_good_ones(tmp_path: Path) -> None:
    from tests.support.wizard_app import app_at

    _damaged_files(tmp_path)
    app = app_at(None, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(10):
            await pilot.pause()
        from wizard.tui.screens.start import StartScreen

        assert isinstance(app.screen, StartScreen)
        assert [setup.name for setup in app.screen.setups] == [DOMAIN]
        messages = [str(notification.message) for notification in app._notifications]
        assert any("'nested'" in message for message in messages)
        assert all("\n" not in message for message in messages)


def test_a_damaged_history_database_is_moved_aside_and_setups_still_open(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="a.example", domains=["a.example"])
    store.save(setup)
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not a database" * 500)
    status = run_cli("status", "--json", state=tmp_path)
    assert status.returncode == 0
    assert [row["name"] for row in json.loads(status.stdout)] == ["a.example"]
    line = one_line(status.stderr)
    assert DATABASE_NAME in line and "moved it to" in line
    assert list(tmp_path.glob(f"{DATABASE_NAME}.corrupt-*"))
    # A new history starts: recording works again.
    fresh = Store(tmp_path)
    loaded = fresh.load("a.example")
    assert loaded is not None
    record(fresh, loaded, [report_of("a.example")])
    assert Store(tmp_path).load("a.example").summary.runs == 1  # type: ignore[union-attr]


# -- unwritable folder or lock ------------------------------------------------------------


def _other_user() -> list[str]:
    """A command prefix that runs as another user (root ignores file modes), or skip."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import wizard"], cwd=ROOT)
    if probe.returncode != 0:
        pytest.skip("cannot run the tool as another user here")
    return prefix


def _open_folder(path: Path) -> Path:
    """A folder another user can reach (pytest's own temporary folders are 0700)."""
    path.mkdir(parents=True)
    path.chmod(0o777)
    return path


@pytest.mark.parametrize("unwritable", ["history", "folder"])
def test_an_unwritable_history_says_what_was_not_saved(
    tmp_path_factory: pytest.TempPathFactory,
    server: HTTPSServer,
    ca_bundle: Path,
    unwritable: str,
) -> None:
    prefix = _other_user()
    server.route(WELL_KNOWN, json_document(GOOD))
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"adue-unwritable-{os.getpid()}-{unwritable}"
    subprocess.run(["rm", "-rf", str(base)], check=True)
    shared = _open_folder(base)
    bundle = shared / "ca.pem"
    bundle.write_bytes(ca_bundle.read_bytes())
    bundle.chmod(0o644)
    state = shared / "state"
    store = Store(state)
    setup = SetupState(
        name=DOMAIN,
        domains=[DOMAIN],
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(bundle)
        ),
    )
    store.save(setup)
    if unwritable == "history":
        # After one `sudo adue-wizard`: the history (and lock) belong to another user.
        record(store, setup, [report_of(DOMAIN)])
        (state / ".lock").touch()
        if prefix:
            subprocess.run(["chown", "-R", "nobody:nogroup", str(state)], check=True)
            subprocess.run(["chown", "root:root", str(state / DATABASE_NAME)], check=True)
        os.chmod(state / DATABASE_NAME, 0o600 if prefix else 0o400)
    else:
        for path in state.iterdir():
            path.chmod(0o644)
        state.chmod(0o755 if prefix else 0o555)
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "wizard", "verify", "--setup", DOMAIN],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "ADUE_WIZARD_STATE_DIR": str(state), "NO_COLOR": "1"},
        )
    finally:
        state.chmod(0o700)
        subprocess.run(["rm", "-rf", str(base)], check=False)
    assert result.returncode == 1
    assert f"{DOMAIN}: PASS" in result.stdout  # the report is still printed
    # Besides the announcement of the saved test settings, one line says what was not saved.
    said = [line for line in result.stderr.splitlines() if "saved test settings" not in line]
    line = one_line("\n".join(said))
    assert "could not record the run" in line and str(state) in line


# -- names are names ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../victim", "/etc/passwd", "a/b", ".hidden", "..", "x\ny"])
def test_path_like_setup_names_are_refused(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.setup.json"
    victim.write_text("{}")
    state = tmp_path / "state"
    for command in (["verify", "--setup", name], ["history", name]):
        result = run_cli(*command, state=state)
        assert result.returncode == 2, result
        assert result.stdout == ""
        line = one_line(result.stderr)
        assert "is not a setup name" in line
    assert victim.read_text() == "{}"
    assert [path.name for path in tmp_path.iterdir()] == ["victim.setup.json"]


# -- private files whatever the umask ----------------------------------------------------


def test_lock_and_missing_parents_are_private_under_umask_000(tmp_path: Path) -> None:
    state = tmp_path / "a" / "b" / "state"
    setup = SetupState(name=DOMAIN, domains=[DOMAIN])
    # Save through a process whose umask is 000, like a careless shell profile.
    saver = (
        "import os\nos.umask(0)\n"
        "from pathlib import Path\n"
        "from wizard.core.setups.store import Store\n"
        "from wizard.core.setups.state import SetupState\n"
        "from wizard.core.results import DomainReport\n"
        f"store = Store(Path({str(state)!r}))\n"
        f"setup = SetupState.model_validate_json({setup.model_dump_json()!r})\n"
        "store.save(setup)\n"
        "store.record_run(setup, [DomainReport('x')], [])\n"
    )
    subprocess.run([sys.executable, "-c", saver], check=True, cwd=ROOT)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", state):
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700), folder
    for name in (".lock", f"{DOMAIN}.setup.json", DATABASE_NAME):
        assert oct((state / name).stat().st_mode & 0o777) == oct(0o600), name


# -- saved text is untrusted ---------------------------------------------------------------

HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J[bold]x[/bold]\u202e"


def _hostile_setup(folder: Path) -> None:
    data = SetupState(name="h.example", domains=["h.example"]).model_dump(mode="json")
    data |= {"org_id": HOSTILE, "domains": [HOSTILE], "platform": HOSTILE}
    (folder / "h.example.setup.json").write_text(json.dumps(data))
    (folder / "bad\x1b[31mname.setup.json").write_text("{")


def test_status_and_history_show_saved_escapes_literally(tmp_path: Path) -> None:
    _hostile_setup(tmp_path)
    text = run_cli("status", state=tmp_path)
    for output in (text.stdout, text.stderr):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "evil\\x1b]0;pwned\\x07" in text.stdout
    assert "bad\\x1b[31mname" in text.stderr  # the damaged file's name, escaped
    as_json = run_cli("status", "--json", state=tmp_path)
    assert "\x1b" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["org_id"] == HOSTILE  # data, escaped by JSON


async def test_the_start_screen_shows_saved_escapes_literally(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from wizard.tui.app import WizardApp

    _hostile_setup(tmp_path)
    app = WizardApp(Store(tmp_path), blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(10):
            await pilot.pause()
        option = app.screen.query_one("#saved", OptionList).get_option_at_index(0)
        shown = str(option.prompt)
        assert "evil\\x1b]0;pwned\\x07" in shown and "[bold]x[/bold]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "bad\\x1b[31mname" in messages and "\x1b" not in messages


def test_the_markdown_report_shows_saved_escapes_literally(tmp_path: Path) -> None:
    from wizard.core.setups.report_markdown import markdown_report

    _hostile_setup(tmp_path)
    state = Store(tmp_path).load("h.example")
    assert state is not None
    report = markdown_report(state)
    assert "\x1b" not in report and "\x07" not in report and "\u202e" not in report
    assert "evil\\x1b]0;pwned\\x07" in report


# -- a saved CA bundle that went away ----------------------------------------------------


@pytest.mark.parametrize("bundle", ["missing", "not-pem"])
def test_a_saved_ca_bundle_that_is_gone_or_not_pem_is_one_line(tmp_path: Path, bundle: str) -> None:
    path = tmp_path / "ca.pem"
    if bundle == "not-pem":
        path.write_text("hello")
    setup = SetupState(name=DOMAIN, domains=[DOMAIN], settings=VerifySettings(ca_bundle=str(path)))
    Store(tmp_path / "state").save(setup)
    result = run_cli("verify", "--setup", DOMAIN, state=tmp_path / "state")
    assert result.returncode == 2 and result.stdout == ""
    assert "--ca-bundle" in one_line(result.stderr)


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
    assert "under test conditions: --connect-to a.example:443:127.0.0.1:8443" in lines[0]
    assert lines[1] == "2026-03-01 00:58:00 UTC  passed"
    as_json = run_cli("history", "a.example", "--json", "--limit", "2", state=tmp_path)
    first, second = (json.loads(line) for line in as_json.stdout.splitlines())
    assert set(first) == {"at", "ok", "outcomes", "conditions"}
    assert first["outcomes"][1] == {"domain": "b.example", "ok": False, "failure": "bad_json"}
    assert second["conditions"] == [] and second["ok"]
    for bad in (["--limit", "0"], ["--limit", "-3"]):
        refused = run_cli("history", "a.example", *bad, state=tmp_path)
        assert refused.returncode == 2 and refused.stdout == ""
        one_line(refused.stderr)
    missing = run_cli("history", "nope.example", state=tmp_path)
    assert missing.returncode == 2 and "no saved setup named" in one_line(missing.stderr)
