"""The Troubleshoot prompt: the domain (or e-mail, or URL) to check at once."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.core.domains import InvalidInput, normalise_domain
from wizard.tui.widgets.field import Field


class DomainPrompt(ModalScreen[str | None]):
    """Asks for the domain (or e-mail, or URL) to troubleshoot."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Troubleshoot a domain", classes="dialog-title")
            yield Static("Domain, Managed Apple Account e-mail, or URL:")
            yield Field(placeholder="user@example.com", id="domain")
            yield Static("", id="domain-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check it", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        field = self.query_one("#domain", Input)
        field.cursor_blink = getattr(self.app, "blink", True)
        field.focus()

    @on(Input.Submitted, "#domain")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        try:
            domain = normalise_domain(self.query_one("#domain", Input).value)
        except InvalidInput as error:
            self.query_one("#domain-problem", Static).update(str(error))
            return
        self.dismiss(domain)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
