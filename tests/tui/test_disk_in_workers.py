"""The wizard never waits for a disk on its UI thread: saving a setup (a file lock and an
fsync) and recording a run (SQLite with a busy timeout) run in workers, in order. Another
process holding the lock or the database keeps the writes waiting, never the admin."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.wizard_app import make_app, saved_setup, started
from wizard.core.setups.database import DATABASE_NAME
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.prerequisites import PrerequisitesScreen
from wizard.tui.screens.start import StartScreen
from wizard.tui.screens.verify import VerifyScreen

HOLD_LOCK = """
import fcntl, os, sys
handle = os.open(os.path.join(sys.argv[1], ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""
HOLD_DATABASE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


@pytest.fixture
def holder() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes that hold something until their stdin closes."""
    held: list[subprocess.Popen[str]] = []
    yield held
    for process in held:
        if process.stdin:
            process.stdin.close()
        process.wait(10)


def hold(held: list[subprocess.Popen[str]], code: str, target: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    held.append(process)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait(10)


async def test_a_held_lock_keeps_the_save_waiting_not_the_admin(
    tmp_path: Path, holder: list[subprocess.Popen[str]]
) -> None:
    store = Store(tmp_path)
    store.save(SetupState(name=DOMAIN, domains=[DOMAIN], org_id=ORG_ID))
    path = store.path_for(DOMAIN)
    before = path.read_text()
    locker = hold(holder, HOLD_LOCK, tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # opening it saves it: queued behind the lock
        await pilot.press("ctrl+n")  # and so does every step
        await pilot.pause()
        assert isinstance(app.screen, PrerequisitesScreen)  # the wizard went on
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert path.read_text() == before  # nothing written yet: the lock is held
        release(locker)
        await app.writes_done()
    saved = Store(tmp_path).load(DOMAIN)
    assert saved is not None and saved.step == "prerequisites"


async def test_a_held_database_keeps_the_run_waiting_not_the_admin(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, holder: list[subprocess.Popen[str]]
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = saved_setup(tmp_path, server, ca_bundle)
    Store(tmp_path).record_run(setup, [], [])  # the database, for another process to hold
    locker = hold(holder, HOLD_DATABASE, tmp_path / DATABASE_NAME)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("r")
        for _ in range(100):  # the check itself runs; its recording waits
            await pilot.pause(0.05)
            if "every domain passed" in str(app.screen.query_one("#verify-status").render()):
                break
        assert app.setup is not None and app.setup.last_failure is None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, VerifyScreen)  # the wizard went on
        assert Store(tmp_path).history.summary(DOMAIN).runs == 1  # not recorded yet
        release(locker)
        await app.writes_done()
    assert Store(tmp_path).history.summary(DOMAIN).runs == 2
