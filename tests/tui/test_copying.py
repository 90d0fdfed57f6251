"""Every copy says what it did: the text was sent to the terminal (OSC 52), which may drop
it, and what to do then (tmux's `set-clipboard`, GNU screen). Never "Copied", which tmux's
default settings make untrue."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tests.support.wizard_app import app_with_five_domains, started
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.verify import VerifyScreen


def messages(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_verify_copy_says_it_was_sent_and_how_to_let_it_through(tmp_path: Path) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("down", "c")
        await pilot.pause()
        assert app.clipboard.startswith("www.example.test: FAIL")
        [said] = messages(app)
    assert said.startswith(
        "Sent the diagnosis of www.example.test to your terminal's clipboard (OSC 52). "
        "Nothing arrived? tmux needs `set -g set-clipboard on` (in ~/.tmux.conf); "
        "GNU screen does not pass it on"
    )
    assert "Done step (x)" in said and "Copied" not in said


async def test_textuals_own_copy_in_a_text_field_says_so_too(tmp_path: Path) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")  # a new setup: the Organization step
        await pilot.pause()
        assert isinstance(app.screen, OrganizationScreen)
        field = app.screen.query_one("#domains", Input)
        field.focus()
        await pilot.press(*"example.org", "ctrl+shift+a", "ctrl+c")
        await pilot.pause()
        assert app.clipboard == "example.org"
        said = messages(app)
    assert len(said) == 1 and said[0].startswith(
        "Sent the selected text to your terminal's clipboard (OSC 52)."
    )
