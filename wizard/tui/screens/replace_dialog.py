"""Asked when saving would replace files that hold something else: replace them, or choose
another folder. (The command line's answer is `--force`; the wizard asks instead.)"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from wizard.tui.safe_text import plain

Answer = Literal["replace", "elsewhere"] | None


class ReplaceFilesDialog(ModalScreen[Answer]):
    """Dismisses with "replace", "elsewhere" (choose another folder), or None (cancel)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, folder: Path, paths: list[Path]) -> None:
        super().__init__()
        self.folder = folder
        self.paths = paths

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(plain(f"Files in {self.folder} hold something else", "bold"))
            for path in self.paths:
                yield Static(plain(f"  {path.relative_to(self.folder)}"))
            yield Static(
                "Saving would replace them (a changed date alone does not count). Replace "
                "them, or choose another folder?"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Replace", id="replace", variant="warning")
                yield Button("Another folder", id="elsewhere", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#elsewhere", Button).focus()  # the choice that loses nothing

    @on(Button.Pressed, "#replace")
    def replace(self) -> None:
        self.dismiss("replace")

    @on(Button.Pressed, "#elsewhere")
    def elsewhere(self) -> None:
        self.dismiss("elsewhere")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
