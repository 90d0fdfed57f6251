"""Step 0: start a new setup, resume a saved one, or troubleshoot a domain right away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.domains import display_domain
from wizard.core.protocol import WELL_KNOWN_PATH
from wizard.core.providers import LABELS
from wizard.core.setups.steps import STEP_TITLES
from wizard.tui.messages import OpenSetup
from wizard.tui.safe_text import plain
from wizard.tui.widgets.key_footer import KeyFooter
from wizard.tui.widgets.plain_button import PlainButton

if TYPE_CHECKING:
    from wizard.core.setups.listing import SetupListing


def describe(setup: SetupListing) -> Content:
    """One line per saved setup: organization, domains, step, last result and when."""
    # Every setup is known by its MDM, and a JumpCloud one by its organization too.
    mdm = LABELS[setup.provider]
    organization = f"{mdm} {setup.org_id}" if setup.org_id else mdm
    domains = ", ".join(display_domain(domain) for domain in setup.domains) or "no domains yet"
    if setup.last_verified_at is None:
        last = "never verified"
    else:
        outcome = "passed" if setup.last_failure is None else f"FAILED {setup.last_failure}"
        if setup.summary.last_unknown:
            outcome = f"UNKNOWN {setup.last_failure}"
        if setup.summary.last_conditions:
            outcome += " under test settings"
        last = f"{outcome} {setup.last_verified_at:%Y-%m-%d %H:%M} UTC"
    # Every saved value is untrusted: `plain` shows it literally, escapes and all.
    return Content.assemble(
        plain(setup.name, "bold"),
        plain(f"  {organization} · {domains}"),
        "\n",
        plain(f"   step: {STEP_TITLES[setup.step]} · {last}"),
    )


def _list_title(setups: list[SetupListing]) -> str:
    return "Resume a saved setup (Enter):" if setups else "No saved setups yet."


def _options(setups: list[SetupListing]) -> list[Option]:
    return [Option(describe(setup), id=setup.name) for setup in setups]


class StartScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New setup", id="new"),
        Binding("t", "troubleshoot", "Troubleshoot a domain", id="troubleshoot"),
        Binding("r", "rename", "Rename", id="rename"),
        Binding("d", "delete", "Delete", id="delete"),
    ]

    @dataclass
    class RenameRequested(Message):
        """The admin asked to rename a saved setup (the app does it and lists again)."""

        old: str
        new: str

    @dataclass
    class ResumeRequested(Message):
        """Open this saved setup at its step (the app reads it in full)."""

        name: str

    @dataclass
    class TroubleshootRequested(Message):
        """Check this domain now, as a device on the internet would; `setup` names the saved
        setup it belongs to, if any (its organization rules apply, not its test settings)."""

        domain: str
        setup: str | None

    @dataclass
    class DeleteRequested(Message):
        """The admin confirmed deleting a saved setup (the app moves its file aside)."""

        name: str

    def __init__(self, setups: list[SetupListing], folder: str = "") -> None:
        """`folder` is where the setups are saved, shown so an admin can find and back them
        up. The list is read before the screen is drawn, and the screen is composed as it
        will be shown, focus included: each later change would draw it again."""
        super().__init__()
        self.setups = setups
        self.folder = folder
        # Textual reads AUTO_FOCUS from the instance when the screen is composed: the list
        # has the focus from the first frame on (moving it later draws the screen again).
        self.AUTO_FOCUS = "#saved" if setups else "#new"  # type: ignore[misc]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="start-body"):
            yield Static(
                "Set up Apple account-driven user enrollment: the domain users sign in with "
                f"must answer https://<domain>{WELL_KNOWN_PATH}. This "
                "wizard walks you through it, writes the configuration for your platform, and "
                "checks the result the way an iPhone does.",
                id="intro",
            )
            with Horizontal(id="start-actions"):
                yield PlainButton("New setup (n)", id="new", primary=True)
                yield PlainButton("Troubleshoot a domain (t)", id="troubleshoot")
            yield Static(_list_title(self.setups), id="saved-title", classes="section")
            saved = OptionList(*_options(self.setups), id="saved")
            saved.display = bool(self.setups)
            if self.setups:  # the first is highlighted from the first frame on
                saved.set_reactive(OptionList.highlighted, 0)
            yield saved
            if self.folder:
                yield Static(f"Progress is saved in {self.folder}", id="folder", markup=False)
        yield KeyFooter()

    def show_setups(self, setups: list[SetupListing]) -> None:
        """List these setups instead (after a rename or a delete)."""
        self.setups = setups
        self.query_one("#saved-title", Static).update(_list_title(setups))
        saved = self.query_one("#saved", OptionList)
        saved.clear_options()
        saved.add_options(_options(setups))
        saved.display = bool(setups)
        if setups:
            saved.highlighted = 0
            saved.focus()
        else:
            self.query_one("#new", PlainButton).focus()

    @on(PlainButton.Pressed, "#new")
    def action_new(self) -> None:
        # The model (pydantic) loads when a setup is opened, not when the wizard starts.
        from wizard.core.setups.state import SetupState, setup_name_for

        taken = {setup.name for setup in self.setups}
        name = setup_name_for([], None, taken)
        self.post_message(OpenSetup(SetupState(name=name, provisional_name=True)))

    @on(PlainButton.Pressed, "#troubleshoot")
    def action_troubleshoot(self) -> None:
        # Dialogs load when asked for: the start screen is the wizard's first frame.
        from wizard.tui.screens.domain_prompt import DomainPrompt

        self.app.push_screen(DomainPrompt(), self._troubleshoot)

    def _troubleshoot(self, domain: str | None) -> None:
        if domain:
            known = next((setup for setup in self.setups if domain in setup.domains), None)
            self.post_message(self.TroubleshootRequested(domain, known.name if known else None))

    def _highlighted(self) -> SetupListing | None:
        saved = self.query_one("#saved", OptionList)
        if not self.setups or saved.highlighted is None:
            return None
        option = saved.get_option_at_index(saved.highlighted)
        return next((setup for setup in self.setups if setup.name == option.id), None)

    def action_rename(self) -> None:
        from wizard.tui.screens.setup_dialogs import RenameDialog

        chosen = self._highlighted()
        if chosen is None:
            return
        taken = {setup.name for setup in self.setups}

        def renamed(new: str | None) -> None:
            if new:
                self.post_message(self.RenameRequested(chosen.name, new))

        self.app.push_screen(RenameDialog(chosen.name, taken), renamed)

    def action_delete(self) -> None:
        from wizard.tui.screens.setup_dialogs import DeleteDialog

        chosen = self._highlighted()
        if chosen is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(self.DeleteRequested(chosen.name))

        self.app.push_screen(DeleteDialog(chosen.name, chosen.domains), confirmed)

    @on(OptionList.OptionSelected, "#saved")
    def resume(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(self.ResumeRequested(event.option.id))
