"""The footer at 60x20 and 80x24: Quit and F1 always in view, every label whole (its full
or its short form, never cut mid-word), laid out again when the window changes size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets._footer import FooterKey  # the footer's key widget

from tests.support.constants import DOMAIN
from tests.support.wizard_app import app_at, app_with_five_domains, make_app, started
from wizard.tui.app import WizardApp
from wizard.tui.widgets.key_footer import SHORT_LABELS, lay_out

SIZES = [(60, 20), (80, 24)]
STEPS = [None, "organization", "prerequisites", "method", "platform", "verify", "done"]


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def footer_row(app: WizardApp) -> list[tuple[str, str, int, int]]:
    """Each key drawn: its key, its label, where it starts and ends on the row."""
    return [
        (key.key_display, key.description, key.region.x, key.region.right)
        for key in app.screen.query(FooterKey)
    ]


def check_whole(app: WizardApp, width: int) -> list[str]:
    """Assert every drawn key is whole and a label of its own; return the labels."""
    drawn = footer_row(app)
    by_display = {
        app.get_key_display(active.binding): active.binding
        for active in app.screen.active_bindings.values()
    }
    for key, label, _, right in drawn:
        assert right <= width, (key, label, right)  # nothing cut at the window's edge
        binding = by_display[key]
        assert label in (binding.description, SHORT_LABELS.get(binding.id or "")), label
    return [label for _, label, _, _ in drawn]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("step", STEPS, ids=lambda step: step or "start")
async def test_quit_and_keys_stay_and_labels_are_whole(
    step: str | None, size: tuple[int, int]
) -> None:
    app = app_at(step)  # type: ignore[arg-type]
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if step is not None:
            await pilot.press("enter")
            await settle(pilot)
        labels = check_whole(app, size[0])
    assert labels[-2:] == ["Quit", "Keys"], labels


async def test_the_start_screen_at_60_columns_shows_every_key_in_short() -> None:
    app = app_at(None)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        labels = check_whole(app, 60)
    assert labels == ["New", "Troubleshoot", "Rename", "Delete", "Quit", "Keys"]


async def test_a_troubleshoot_check_offers_ctrl_s_and_still_fits(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await started(pilot)
        await pilot.press("t", *DOMAIN, "enter")
        await settle(pilot)
        labels = check_whole(app, 60)
    assert "Save" in labels and labels[-2:] == ["Quit", "Keys"], labels


async def test_the_footer_is_laid_out_again_when_the_window_changes(tmp_path: Path) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Copy diagnosis" in check_whole(app, 100)
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        await pilot.pause()
        narrow = check_whole(app, 60)
        assert "Copy" in narrow and narrow[-2:] == ["Quit", "Keys"]
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        await pilot.pause()
        assert "Copy diagnosis" in check_whole(app, 100)


def test_when_even_short_labels_do_not_fit_the_screens_last_keys_go_first() -> None:
    keys = tuple(
        (Binding(key, action, description, id=id_), True, "")
        for key, action, description, id_ in (
            ("escape", "back", "Back", "back"),
            ("c", "copy", "Copy file", "copy"),
            ("s", "save", "Save", "save"),
            ("e", "exact_seed", "Vendor's form", "exact-seed"),
            ("ctrl+q", "quit", "Quit", "quit"),
            ("f1", "toggle_keys", "Keys", "keys"),
        )
    )

    def labels(width: int) -> list[str]:
        return [label for _, _, _, label in lay_out(keys, width, lambda b: b.key).keys]

    assert labels(80) == ["Back", "Copy file", "Save", "Vendor's form", "Quit", "Keys"]
    assert labels(53) == ["Back", "Copy", "Save", "Form", "Quit", "Keys"]
    assert labels(46) == ["Back", "Copy", "Save", "Quit", "Keys"]
    assert labels(10) == ["Quit", "Keys"]
