"""A one-line button for the start screen, pressed with Enter, Space or a click.

Textual's Button brings 57 style rules that are parsed the first time one is shown, about
10 ms of the wizard's start-up (measured by benchmarks/tui_startup.py); the start screen's
two actions need none of its variants or animation. Its look lives in wizard.tcss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static


class PlainButton(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "press", "Press", show=False, id="press"),
    ]

    @dataclass
    class Pressed(Message):
        """The button was pressed; `@on(PlainButton.Pressed, "#id")` selects by its id."""

        button: PlainButton

        @property
        def control(self) -> PlainButton:
            return self.button

    def __init__(self, label: str, *, id: str, primary: bool = False) -> None:
        super().__init__(label, id=id, classes="primary" if primary else "", markup=False)

    def action_press(self) -> None:
        self.post_message(self.Pressed(self))

    def on_click(self) -> None:
        self.post_message(self.Pressed(self))
