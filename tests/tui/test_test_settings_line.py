"""The line "Checked under test settings: ..." describes the results it sits above, never the
settings saved since: after `o` and Enter over a result made without them, while a check
runs, and when a replaced check's messages arrive late. A run is recorded with its own
settings. Done says the same."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from tests.support.constants import AT, DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import Handler, HTTPSServer, Request, json_document
from tests.support.wizard_app import failing_result, make_app, record, saved_setup, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.verify import VerifyScreen
from wizard.tui.screens.verify_settings import VerifySettingsDialog

AGENT = "adue-test-agent/1"


def settings_line(app: Any) -> str | None:
    """The test settings line on the screen, None when hidden."""
    line = app.screen.query_one("#verify-conditions", Static)
    return str(line.render()) if line.display else None


def status(app: Any) -> str:
    return str(app.screen.query_one("#verify-status", Static).render())


def held_until(released: threading.Event, then: Handler) -> Handler:
    """Answer only once the test releases it: the check is still running meanwhile."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        while not released.is_set():
            await asyncio.sleep(0.02)
        await then(request, writer)

    return handler


async def until(pilot: Any, condition: Any) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


async def save_settings(pilot: Any, field: str, value: str) -> None:
    """o, type `value` into the settings dialog's `field`, Enter."""
    await pilot.press("o")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, VerifySettingsDialog)
    dialog.query_one(f"#{field}", Input).value = value
    dialog.query_one(f"#{field}", Input).focus()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, VerifyScreen)


async def test_new_settings_do_not_label_a_result_made_without_them(
    tmp_path: Path, ca_bundle: Path
) -> None:
    setup = SetupState(name=DOMAIN, org_id=ORG_ID, domains=[DOMAIN], step="verify")
    store = Store(tmp_path)
    store.save(setup)
    record(store, setup, [failing_result()], AT)  # made as a device would: no settings
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert settings_line(app) is None
        await save_settings(pilot, "ca_bundle", str(ca_bundle))
        assert settings_line(app) is None  # the result below was made without it
        assert "made without test settings: r checks with the saved ones" in status(app)
        await app.writes_done()
    # Opened again later: the same, and Done does not put the line above the old verdict.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert settings_line(app) is None
        assert "made without test settings" in status(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, DoneScreen)
        assert not app.screen.query("#done-conditions")
        verdict = str(app.screen.query_one("#verdict", Static).render())
        assert "The test settings have changed since that check" in verdict


async def test_a_check_running_when_settings_change_keeps_its_own_line_and_record(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    released = threading.Event()
    server.route(WELL_KNOWN, held_until(released, json_document(GOOD)))
    saved_setup(tmp_path, server, ca_bundle)  # never verified: the check starts at once
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: server.requests)
        before = settings_line(app)
        assert before is not None and "--user-agent" not in before
        await save_settings(pilot, "user_agent", AGENT)
        assert settings_line(app) == before
        assert "the check running now uses the earlier ones" in status(app)
        released.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert settings_line(app) == before
        assert "not those saved now: r checks with the saved ones" in status(app)
        await app.writes_done()
        stored = Store(tmp_path).load(DOMAIN)
        assert stored is not None and stored.summary.runs == 1
        assert not any("--user-agent" in c for c in stored.summary.last_conditions)
        await pilot.press("r")  # now with them
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = settings_line(app)
        assert after is not None and f"--user-agent {AGENT}" in after
        await app.writes_done()
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None and stored.summary.runs == 2
    assert f"--user-agent {AGENT}" in stored.summary.last_conditions


async def test_a_replaced_checks_late_messages_are_dropped(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    released = threading.Event()
    server.route(WELL_KNOWN, held_until(released, json_document(GOOD)))
    saved_setup(tmp_path, server, ca_bundle)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # the first check starts, and is held
        await until(pilot, lambda: server.requests)
        screen = app.screen
        assert isinstance(screen, VerifyScreen)
        replaced = screen._run
        await pilot.press("r")  # a second check replaces it
        await pilot.pause()
        assert screen._run == replaced + 1
        # What the first check had posted before it was cancelled arrives now.
        stale = failing_result()
        screen.post_message(VerifyScreen.DomainDone(replaced, stale))
        screen.post_message(VerifyScreen.RunDone(replaced, [stale], ["--resolve stale"]))
        await pilot.pause()
        assert screen.results[DOMAIN] is None  # still checking: the stale result not shown
        await app.writes_done()
        stored = Store(tmp_path).load(DOMAIN)
        assert stored is not None and stored.summary.runs == 0  # and not recorded
        released.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = screen.results[DOMAIN]
        assert result is not None and result.ok
        await app.writes_done()
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None and stored.summary.runs == 1
    assert "--resolve stale" not in stored.summary.last_conditions
