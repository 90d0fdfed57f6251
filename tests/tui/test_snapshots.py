"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Dates, results and the home folder are pinned, cursors do not blink and the header shows no
clock, so a change in a snapshot is a change in what the admin sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.constants import TENANT, TODAY
from tests.support.wizard_app import SHOWN_FOLDER, app_at, app_with_five_domains, pinned_setup
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp

SIZES = [(80, 24), (120, 40)]
STEPS = ["organization", "prerequisites", "method", "platform", "verify", "done"]


@pytest.fixture(autouse=True)
def pinned_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/admin")


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_start_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_at(None), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("step", STEPS)
def test_step_screen(snap_compare: Any, step: str, size: tuple[int, int]) -> None:
    async def resume(pilot: Any) -> None:
        await settle(pilot)  # the saved setups are listed after the first paint
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_at(step), terminal_size=size, run_before=resume)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_verify_screen_with_five_domains(
    snap_compare: Any, size: tuple[int, int], tmp_path: Path
) -> None:
    async def resume(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    app = app_with_five_domains(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=resume)


def test_verify_screen_says_a_pass_is_at_risk_on_ios_27(snap_compare: Any, tmp_path: Path) -> None:
    """A domain behind an old TLS stack (TLS 1.2 without the extended master secret): it
    passes today, and the line for iOS 27 says it may be refused; at 80x24."""

    async def select_staging(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "down")  # failures first: staging is the fourth row
        await settle(pilot)

    app = app_with_five_domains(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=select_staging)


@pytest.mark.parametrize("mdm", ["intune", "jamf"])
def test_organization_step_for_a_preset(snap_compare: Any, mdm: str, tmp_path: Path) -> None:
    """The Organization step with Intune's tenant ID and cloud, or Jamf's URL and enrollment
    type, at 80x24."""
    store = Store(tmp_path)
    setup = pinned_setup("organization")
    setup.provider = mdm
    setup.org_id = None
    setup.method = "self-host"
    if mdm == "intune":
        setup.tenant_id = TENANT
    else:
        setup.server_url = "https://acme.jamfcloud.com"
    store.save(setup)
    app = WizardApp(store, blink=False, today=TODAY, shown_folder=SHOWN_FOLDER)

    async def resume(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=resume)


def test_a_new_setup_without_colour(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR, at 80x24: the empty fields' placeholders read as hints ("e.g. ..."), not as
    values typed in."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def new_setup(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(app_at(None), terminal_size=(80, 24), run_before=new_setup)


@pytest.mark.parametrize("step", [None, "platform", "verify"], ids=lambda s: s or "start")
def test_the_footer_at_60x20(snap_compare: Any, step: str | None, tmp_path: Path) -> None:
    """At 60x20 the footer keeps Quit and F1 and cuts no label: the short forms, packed."""

    async def open_step(pilot: Any) -> None:
        await settle(pilot)
        if step is not None:
            await pilot.press("enter")
            await settle(pilot)

    app = app_with_five_domains(tmp_path) if step == "verify" else app_at(step)  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=(60, 20), run_before=open_step)
