"""F1 (or ?) lists the wizard's keys for the screen first, then its keys everywhere, then how
to move around; nothing of Textual's generic list, and it fits at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Select, Static

from tests.support.constants import DOMAIN, ORG_ID
from tests.support.wizard_app import app_at, app_with_five_domains, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp
from wizard.tui.widgets.key_footer import shown_keys
from wizard.tui.widgets.keys_panel import KeysPanel

STEPS = [None, "organization", "prerequisites", "method", "platform", "verify", "done"]
GENERIC = ("Page Left", "Copy selected text", "Focus Next", "super", "Cursor", "pgup")


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel_rows(app: WizardApp) -> list[str]:
    """The panel's lines: titles, "KEYS | what it does" rows, then the note."""
    panel = app.screen.query_one(KeysPanel)
    rows = []
    for widget in panel.query(".keys-title, .keys-row, .keys-note"):
        if widget.has_class("keys-row"):
            key, what = widget.query(Static)
            rows.append(f"{key.render()} | {what.render()}")
        else:
            rows.append(str(widget.render()))
    return rows


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step or "start")
async def test_the_screens_own_keys_come_first_and_it_fits_80x24(step: str | None) -> None:
    app = app_at(step)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if step is not None:
            await pilot.press("enter")
            await settle(pilot)
        footer = [binding.description for binding, _, _ in shown_keys(app.screen)]
        await pilot.press("f1")
        await settle(pilot)
        rows = panel_rows(app)
        panel = app.screen.query_one(KeysPanel)
        assert panel.virtual_size.height <= panel.region.height  # all of it in view
        assert panel.region.right <= 80
    text = "\n".join(rows)
    assert not any(word in text for word in GENERIC), text
    screen_keys = [row.split(" | ")[1] for row in rows[1 : rows.index("Everywhere")]]
    assert rows[0] == "Keys here"
    # The footer's own keys (less Quit and F1), in its order, first.
    assert screen_keys[: len(footer) - 2] == footer[:-2]
    everywhere = rows[rows.index("Everywhere") + 1 : rows.index("Moving around")]
    assert everywhere == ["Ctrl+Q | Quit", "F1 ? | Hide this list"]
    assert rows[-1].startswith("In a text field letters are typed")


async def test_f1_and_question_mark_close_it_again() -> None:
    app = app_at(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query(KeysPanel)
        assert not app.screen.query("HelpPanel, KeyPanel")  # not Textual's panel
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query(KeysPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(KeysPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query(KeysPanel)


async def test_verify_lists_page_keys_that_scroll_the_details(tmp_path: Path) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        rows = panel_rows(app)
        assert "PgDn | Scroll details down" in rows and "PgUp | Scroll details up" in rows
        details = app.screen.query_one("#verify-details", VerticalScroll)
        assert details.scroll_y == 0
        await pilot.press("pagedown")  # with the domain list focused, as it is
        await pilot.pause()
        assert details.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert details.scroll_y == 0


async def test_the_list_follows_the_keys_the_screen_offers(tmp_path: Path) -> None:
    Store(tmp_path).save(
        SetupState(
            name=DOMAIN,
            org_id=ORG_ID,
            domains=[DOMAIN],
            method="redirect",
            step="platform",
        )
    )
    app = WizardApp(Store(tmp_path), blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "e | Vendor's form" not in panel_rows(app)  # no platform chosen yet
        app.screen.query_one("#platform", Select).value = "nginx"
        await settle(pilot)
        await pilot.pause()
        assert "e | Vendor's form" in panel_rows(app)


def test_snapshot_of_the_keys_on_verify(snap_compare: Any, tmp_path: Path) -> None:
    """F1 on the Verify step with five domains, at 80x24."""

    async def open_keys(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    app = app_with_five_domains(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_keys)
