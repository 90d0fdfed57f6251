"""Copying: the text is sent to the terminal as an OSC 52 sequence, and the terminal decides.

The wizard cannot know whether anything arrived, so every copy says what it did and what to
do when nothing arrives: tmux drops OSC 52 from programs unless `set-clipboard` is `on` (its
default, `external`, drops it), and GNU screen never passes it on (both seen with tmux 3.3
and screen 4.9). A copy never says "Copied".
"""

from __future__ import annotations

from textual.app import App

TMUX_SETTING = "set -g set-clipboard on"


def sent_line(what: str, otherwise: str = "") -> str:
    """What a copy did, and what to do when nothing arrives; `otherwise` is another way to
    get the same text (saving the files, say)."""
    instead = f": {otherwise}" if otherwise else ""
    return (
        f"Sent {what} to your terminal's clipboard (OSC 52). Nothing arrived? tmux needs "
        f"`{TMUX_SETTING}` (in ~/.tmux.conf); GNU screen does not pass it on{instead}."
    )


def send(app: App[object], text: str) -> None:
    """Send `text` for one of the wizard's own copy actions, which say what was sent where
    the admin is looking. App's own method: the wizard's override adds the general notice
    for Textual's copies (Ctrl+C on a selection)."""
    App.copy_to_clipboard(app, text)
