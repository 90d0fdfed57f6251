"""Dialogs for managing saved setups from the start screen: rename, and delete (confirmed)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.tui.safe_text import plain


class RenameDialog(ModalScreen[str | None]):
    """Asks for a setup's new name; dismisses with it, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, name: str, taken: set[str]) -> None:
        super().__init__()
        self.old = name
        self.taken = taken

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(plain(f"Rename {self.old}", "bold"))
            yield Static("New name (letters, digits, '.', '-', '_'); its history follows it:")
            yield Input(self.old, id="new-name")
            yield Static("", id="rename-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Rename", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        field = self.query_one("#new-name", Input)
        field.cursor_blink = getattr(self.app, "blink", True)
        field.focus()

    @on(Input.Submitted, "#new-name")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        new = self.query_one("#new-name", Input).value.strip()
        problem = self.query_one("#rename-problem", Static)
        try:
            check_setup_name(new)
        except InvalidInput as error:
            problem.update(str(error))
            return
        if new != self.old and new in self.taken:
            problem.update(f"A setup named {new} already exists.")
            return
        self.dismiss(new if new != self.old else None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteDialog(ModalScreen[bool]):
    """Confirms deleting a setup; says that it can be restored, and how."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, name: str, domains: list[str]) -> None:
        super().__init__()
        self.setup_name = name
        self.domains = domains

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(plain(f"Delete {self.setup_name}?", "bold"))
            yield Static(plain(f"Domains: {', '.join(self.domains) or 'none yet'}"))
            yield Static(
                "Its file is moved aside in the state folder (NAME.setup.json.deleted-TIME); "
                f"adue-wizard setup restore {self.setup_name} brings it back, with its history.",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete", id="ok", variant="error")
                yield Button("Keep it", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe choice has the focus

    @on(Button.Pressed, "#ok")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
