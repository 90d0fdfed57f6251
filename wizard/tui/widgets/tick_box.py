"""Check boxes and radio buttons whose state reads without colour: the mark shows only
when selected.

Textual draws the mark ("X", "●") in both states and tells them apart by colour only, which
is lost with NO_COLOR or on a monochrome console."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


def _blank_when_off(button: Content, inner: str, value: bool) -> Content:
    if value:
        return button
    at = button.plain.index(inner)
    return Content.assemble(button[:at], " ", button[at + 1 :])


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        return _blank_when_off(super()._button, self.BUTTON_INNER, self.value)


class Choice(RadioButton):
    @property
    def _button(self) -> Content:
        return _blank_when_off(super()._button, self.BUTTON_INNER, self.value)
