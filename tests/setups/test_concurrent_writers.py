"""Saved progress is never lost or corrupted, whatever runs at once and however it is killed:
writers in the same second, `verify --setup` commands at once, a writer killed with kill -9
mid-write; a history or folder it cannot write is said in one line, and what it writes is
private whatever the umask.

Each test here failed on 0.1.0 (history merged by one-second time stamps inside the setup
file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
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
