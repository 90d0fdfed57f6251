"""The styles that carry a verdict (pass, warn, fail, skip, running), in one place.

In colour they are green, yellow, red; under NO_COLOR Textual turns colours into greys, and
a dark grey on a near-black background cannot be read (PASS was grey on grey). Without
colour the words carry the meaning, and the styles only set them apart: bold, underline,
reverse video, never a dim grey.
"""

from __future__ import annotations

_COLOURED = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "skip": "dim",
    "running": "bold cyan",
    "muted": "dim",
}
_MONOCHROME = {
    "pass": "bold",
    "warn": "bold underline",
    "fail": "bold reverse",
    "skip": "italic",
    "running": "bold",
    "muted": "",
}
_monochrome = False


def use_monochrome(monochrome: bool) -> None:
    """Set by the app at start-up from Textual's reading of NO_COLOR."""
    global _monochrome
    _monochrome = monochrome


def style_for(kind: str) -> str:
    """The style for a verdict kind: pass, warn, fail, skip, running or muted."""
    return (_MONOCHROME if _monochrome else _COLOURED)[kind]
