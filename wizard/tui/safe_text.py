"""Server and file text is data: shown literally, never as markup or escape sequences."""

from __future__ import annotations

from textual.content import Content

from wizard.core.shown import printable


def plain(text: str, style: str = "") -> Content:
    """`text` as literal Content: `[...]` stays text, control characters become escapes."""
    content = Content(printable(text))
    return content.stylize(style) if style else content
