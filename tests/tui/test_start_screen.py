"""The start screen as it is first drawn: the saved setups listed, the first highlighted and
focused, its two actions pressed by keyboard or mouse, and a footer that is rebuilt only when
the keys it shows change (rebuilding it for nothing was most of the wizard's start-up)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from tests.support.constants import ORG_ID
from tests.support.verifying import report_of
from tests.support.wizard_app import make_app, record
from wizard.core.setups.state import SetupState
from wizard.core.setups.steps import Step
from wizard.core.setups.store import Store
from wizard.tui.screens.domain_prompt import DomainPrompt
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.start import StartScreen, describe
from wizard.tui.screens.verify import VerifyScreen
from wizard.tui.widgets.key_footer import KeyFooter


def save_setups(folder: Path, *names: str, step: Step = "verify") -> None:
    store = Store(folder)
    for name in names:
        setup = SetupState(name=name, domains=[name], org_id=ORG_ID, step=step)
        store.save(setup)
        record(store, setup, [report_of(name)])


async def test_the_first_frame_lists_the_setups_with_the_first_focused(tmp_path: Path) -> None:
    save_setups(tmp_path, "a.example", "b.example")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # one frame: nothing is read or focused later
        start = app.screen
        assert isinstance(start, StartScreen)
        saved = start.query_one("#saved", OptionList)
        assert saved.option_count == 2
        assert saved.has_focus and saved.highlighted == 0
        first = saved.get_option_at_index(0).id
        await pilot.press("enter")  # resumes the highlighted setup at once
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        assert app.setup is not None and app.setup.name == first


async def test_without_setups_new_setup_has_the_focus_and_enter_presses_it(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert not start.query_one("#saved", OptionList).display
        assert app.focused is not None and app.focused.id == "new"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OrganizationScreen)


async def test_the_start_actions_are_pressed_by_space_and_by_a_click(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "space")  # to "Troubleshoot a domain", pressed
        await pilot.pause()
        assert isinstance(app.screen, DomainPrompt)
        await pilot.press("escape")
        await pilot.pause()
        assert await pilot.click("#new")
        await pilot.pause()
        assert isinstance(app.screen, OrganizationScreen)


async def test_the_footer_is_not_rebuilt_when_its_keys_stay_the_same(tmp_path: Path) -> None:
    save_setups(tmp_path, "a.example")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drawn = list(app.screen.query(FooterKey))
        assert {key.description for key in drawn} >= {"New setup", "Rename", "Quit"}
        for _ in range(4):  # focus moves: a bindings signal each time, the same keys
            await pilot.press("tab")
            await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == drawn  # the very same widgets


class Toggle(App[None]):
    """A key that shows only while `armed`: the footer must follow it."""

    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "fire", "Fire", id="fire"),
        Binding("q", "quit", "Quit", id="quit"),
    ]
    armed = False

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.armed if action == "fire" else True


def shown(app: App[None]) -> set[str]:
    return {key.description for key in app.screen.query(FooterKey)}


async def test_the_footer_follows_keys_that_appear_and_go() -> None:
    app = Toggle()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        assert shown(app) == {"Quit"}
        app.armed = True
        app.refresh_bindings()
        await pilot.pause()
        assert shown(app) == {"Fire", "Quit"}
        app.armed = False
        app.refresh_bindings()
        await pilot.pause()
        assert shown(app) == {"Quit"}


async def test_back_to_start_returns_to_the_one_start_screen_with_a_fresh_list(
    tmp_path: Path,
) -> None:
    save_setups(tmp_path, "a.example", step="organization")  # where Esc goes back to start
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first_start = app.screen
        for _ in range(3):  # a setup opened and left, again and again: no screens pile up
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, OrganizationScreen)
            assert len(app.screen_stack) == 2
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is first_start and len(app.screen_stack) == 1
        Store(tmp_path).rename("a.example", "b.example")  # changed by another terminal
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert [setup.name for setup in first_start.setups] == ["b.example"]  # type: ignore[attr-defined]


def test_every_setup_in_the_list_is_named_by_its_mdm(tmp_path: Path) -> None:
    """JumpCloud setups are known by their MDM as the others are: with and without an
    organization ID, and in a file saved before the MDM was a choice (no `provider`)."""
    store = Store(tmp_path)
    store.save(SetupState(name="with-id", domains=["a.example"], org_id=ORG_ID))
    store.save(SetupState(name="without-id", domains=["b.example"]))
    store.save(SetupState(name="intune", provider="intune", domains=["c.example"]))
    older = tmp_path / "older.setup.json"
    store.save(SetupState(name="older", domains=["d.example"]))
    saved = json.loads(older.read_text())
    del saved["provider"]
    older.write_text(json.dumps(saved))
    lines = {listing.name: describe(listing).plain for listing in store.list_setups()}
    assert f"JumpCloud {ORG_ID} · a.example" in lines["with-id"]
    assert "JumpCloud · b.example" in lines["without-id"]
    assert "JumpCloud · d.example" in lines["older"]
    assert "Intune · c.example" in lines["intune"]
