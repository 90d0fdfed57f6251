"""The wizard's Link accounts screen, pushed from a test app on the state folder of the setup
and driven with Pilot against the stand-in: a plan from the e-mail rule or a typed CSV path,
its counts and table, a confirmation, the progress bar, the `accounts_linked` check after;
left while writing and opened again, it continues without writing anyone twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable, ProgressBar, Static

from tests.linking.conftest import KEY, Directory, StartDirectory, write_csv
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import hostile_users, make_user
from tests.support.wizard_app import make_app, started
from wizard.core.jumpcloud.access import JumpCloudAccess
from wizard.core.jumpcloud.secret import ApiKey
from wizard.core.jumpcloud.users import UserLinks
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp
from wizard.tui.screens.link_accounts import ConfirmWrite, LinkAccountsScreen


def open_screen(app: WizardApp, jumpcloud: Directory, dismissed: list[UserLinks | None]) -> None:
    setup = Store(jumpcloud.state_folder).load("corp")
    assert setup is not None
    access = JumpCloudAccess(jumpcloud.standin.base_url, ApiKey(KEY))
    app.push_screen(LinkAccountsScreen(setup, access), dismissed.append)


def text(app: WizardApp, selector: str) -> str:
    """What a Static of the current screen shows ("" while it is not there yet)."""
    found = app.screen.query(selector)
    return str(found.first(Static).render()) if found else ""


async def until(pilot: Any, condition: Any, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


async def confirm(pilot: Any) -> str:
    """Wait for the confirmation, press Write; the question it asked."""
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmWrite))
    await pilot.pause()
    await until(pilot, lambda: pilot.app.screen.query_one("#confirm-write").region.area > 0)
    asked = str(pilot.app.screen.query(Static).first().render())
    await pilot.click("#confirm-write")
    return asked


async def test_plan_confirm_apply_and_check(
    directory: StartDirectory, isolated_state: Path
) -> None:
    users = [make_user(number, ORG_ID) for number in range(1, 6)]
    users.append(make_user(6, ORG_ID, managed_apple_id="someone@other.org"))
    jumpcloud = directory(users)
    app = make_app(isolated_state)
    dismissed: list[UserLinks | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        open_screen(app, jumpcloud, dismissed)
        await pilot.pause()
        await pilot.click("#link-from-emails")
        await until(pilot, lambda: "Plan:" in text(app, "#link-counts"))
        assert text(app, "#link-counts") == "Plan: 5 set, 1 conflict"
        table = app.screen.query_one("#link-changes", DataTable)
        assert table.row_count == 6
        assert [str(cell) for cell in table.get_row_at(5)][:2] == [
            "conflict",
            "user00006@example.com",
        ]
        assert jumpcloud.standin.writes == []
        await pilot.click("#link-apply")
        asked = await confirm(pilot)
        assert asked == (
            f"Write 5 Managed Apple Accounts to JumpCloud organization {ORG_ID} (Example Org)?"
        )
        await until(pilot, lambda: "accounts_linked" in text(app, "#link-verdict"))
        assert text(app, "#link-status") == "5 written."
        bar = app.screen.query_one("#link-progress", ProgressBar)
        assert (bar.total, bar.progress) == (5, 5)
        # user 6 keeps an account outside the setup's domains: a warning.
        assert text(app, "#link-verdict").startswith("accounts_linked: warn")
        assert sorted(user for user, _ in jumpcloud.puts()) == sorted(u["_id"] for u in users[:5])
        await pilot.press("escape")
        await pilot.pause()
    assert len(dismissed) == 1 and dismissed[0] is not None
    assert dismissed[0].status() == "warn" and dismissed[0].linked == 6


async def test_a_typed_csv_path_and_text_from_jumpcloud_shown_as_text(
    directory: StartDirectory, isolated_state: Path, tmp_path: Path
) -> None:
    marked = make_user(2, ORG_ID, managed_apple_id="[bold]boss[/bold]\x1b[2J@other.org")
    jumpcloud = directory([make_user(1, ORG_ID), marked, *hostile_users(ORG_ID)])
    csv = write_csv(tmp_path, "email,managedAppleId\nuser00001@example.com,one@example.com\n")
    app = make_app(isolated_state)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        open_screen(app, jumpcloud, [])
        await pilot.pause()
        await pilot.click("#link-csv")
        await pilot.press(*str(csv), "enter")
        await until(pilot, lambda: "Plan:" in text(app, "#link-counts"))
        assert text(app, "#link-counts") == "Plan: 1 set"
        await pilot.click("#link-overwrite")
        await pilot.click("#link-from-emails")
        await until(pilot, lambda: "overwrite" in text(app, "#link-counts"))
        assert text(app, "#link-counts") == "Plan: 1 set, 1 overwrite"
        table = app.screen.query_one("#link-changes", DataTable)
        cells = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert "[bold]boss[/bold]\\x1b[2J@other.org" in cells  # markup and escapes as text
        assert not any("\x1b" in cell for cell in cells)


async def test_a_missing_csv_or_a_refused_key_is_one_line_on_the_screen(
    directory: StartDirectory, isolated_state: Path, tmp_path: Path
) -> None:
    jumpcloud = directory([make_user(1, ORG_ID)])
    app = make_app(isolated_state)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        open_screen(app, jumpcloud, [])
        await pilot.pause()
        await pilot.click("#link-csv")
        await pilot.press(*str(tmp_path / "none.csv"), "enter")
        await until(pilot, lambda: "cannot read" in text(app, "#link-status"))
        jumpcloud.standin.state.api_keys.clear()
        await pilot.click("#link-from-emails")
        await until(pilot, lambda: "401" in text(app, "#link-status"))
        assert "did not accept the API key" in text(app, "#link-status")
        assert app.screen.query_one("#link-apply", Button).disabled


async def test_left_while_writing_then_opened_again_it_continues(
    directory: StartDirectory, isolated_state: Path
) -> None:
    jumpcloud = directory([make_user(number, ORG_ID) for number in range(1, 61)])
    app = make_app(isolated_state)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        open_screen(app, jumpcloud, [])
        await pilot.pause()
        await pilot.click("#link-from-emails")
        await until(pilot, lambda: "Plan:" in text(app, "#link-counts"))
        jumpcloud.standin.state.latency = 0.1
        await pilot.click("#link-apply")
        await confirm(pilot)
        await until(pilot, lambda: len(jumpcloud.puts()) >= 12)
        await pilot.click("#link-close")
        await until(pilot, lambda: not isinstance(app.screen, LinkAccountsScreen))
        # The writes in flight when it was left still land (JumpCloud had them).
        await until(pilot, lambda: jumpcloud.standin.in_flight == 0)
        written_before = len(jumpcloud.puts())
        assert 12 <= written_before < 60
        jumpcloud.standin.state.latency = 0.0
        open_screen(app, jumpcloud, [])
        await until(pilot, lambda: "stopped before its end" in text(app, "#link-status"))
        await pilot.click("#link-apply")
        asked = await confirm(pilot)
        assert f"Write {60 - written_before} Managed Apple Accounts" in asked
        await until(pilot, lambda: "accounts_linked: pass" in text(app, "#link-verdict"))
    times = Counter(user for user, _ in jumpcloud.puts())
    assert len(times) == 60 and set(times.values()) == {1}


@pytest.fixture
def snapshot_app(directory: StartDirectory, isolated_state: Path) -> WizardApp:
    users = [make_user(number, ORG_ID) for number in range(1, 9)]
    users[1] = make_user(2, ORG_ID, managed_apple_id="old.two@example.com")
    users[2] = make_user(3, ORG_ID, state="SUSPENDED")
    users[3] = make_user(4, ORG_ID, managed_apple_id="user00005@example.com")
    jumpcloud = directory(users)
    app = make_app(isolated_state)
    app.snapshot_directory = jumpcloud  # type: ignore[attr-defined]
    return app


def test_the_plan_on_an_80x24_terminal(snap_compare: Any, snapshot_app: WizardApp) -> None:
    async def plan(pilot: Any) -> None:
        await started(pilot)
        open_screen(pilot.app, pilot.app.snapshot_directory, [])
        await pilot.pause()
        await pilot.click("#link-from-emails")
        await until(pilot, lambda: "Plan:" in text(pilot.app, "#link-counts"))
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=plan)
