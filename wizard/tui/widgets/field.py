"""A text field whose placeholder cannot be mistaken for a value.

Textual tells a placeholder from a typed value by colour alone (a grey), which NO_COLOR
and a monochrome console lose: `example.com` in an empty field looked typed. Here the
placeholder's words say it (`e.g. example.com`); wizard.tcss sets it in italic as well,
an attribute NO_COLOR keeps, where the terminal can show it.
"""

from __future__ import annotations

from textual.widgets import Input


def as_hint(placeholder: str) -> str:
    """`placeholder` as a hint: an example gets "e.g. "; a description in parentheses (or
    one that already says "e.g.") is kept."""
    text = placeholder.strip()
    if not text or text.startswith(("e.g.", "(")):
        return text
    return f"e.g. {text}"


class Field(Input):
    """Input whose placeholder, however it is set, reads as a hint."""

    def validate_placeholder(self, placeholder: str) -> str:
        return as_hint(placeholder)
