"""The list F1 (or ?) shows: the keys of the screen first, then the wizard's own, then how to
move around, in words an admin reads at a glance.

Textual's key panel lists every binding in reach, its own generic ones first for the focused
widget ("^pgup Page Left", "super+c Copy selected text"), and the screen's keys below the
fold at 80x24. Here only the wizard's bindings are listed (each has an id; Textual's have
none), with their descriptions, and the list is drawn again when the screen's keys change.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

# How the keys Textual names are written for people.
_NAMES = {
    "escape": "Esc",
    "question_mark": "?",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "enter": "Enter",
    "space": "Space",
    "tab": "Tab",
}
MOVING_AROUND = (
    ("Tab", "next field or list"),
    ("Shift+Tab", "the previous one"),
    ("Enter", "press, choose, open"),
    ("Up Down", "move in a list"),
)
TYPED = "In a text field letters are typed; F1 and Ctrl keys still work."
Rows = list[tuple[str, str]]


def key_name(key: str) -> str:
    """Textual's key names as people write them: Ctrl+N, Esc, F1, PgDn."""
    *modifiers, last = key.split("+")
    function_key = last[:1] == "f" and last[1:].isdigit()
    name = _NAMES.get(last, last.upper() if modifiers or function_key else last)
    return "+".join([*(modifier.capitalize() for modifier in modifiers), name])


def wizard_keys(screen: Screen[object]) -> tuple[Rows, Rows]:
    """The screen's own keys and the app's, each (keys, what it does), one row per action:
    those in the footer first, in its order, then the others."""
    rows: dict[tuple[bool, str], tuple[Binding, list[str]]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if binding.id is None or not binding.description or binding.system:
            continue  # Textual's own (no id), or a key the wizard does not offer
        of_app = active.node is screen.app
        _, keys = rows.setdefault((of_app, binding.action), (binding, []))
        keys.append(key_name(binding.key))

    def listed(app: bool) -> Rows:
        chosen = [(binding, keys) for (of_app, _), (binding, keys) in rows.items() if of_app == app]
        chosen.sort(key=lambda row: not row[0].show)  # stable: the footer's order kept
        return [(" ".join(keys), _what(binding)) for binding, keys in chosen]

    return listed(False), listed(True)


def _what(binding: Binding) -> str:
    # Read while the list is open, where F1 closes it.
    return "Hide this list" if binding.action == "toggle_keys" else binding.description


class KeysPanel(VerticalScroll, can_focus=False):
    """Shown at the right of the screen by F1 or ?, hidden by the same key; its look is in
    wizard.tcss."""

    _shown: tuple[Rows, Rows] | None = None

    def compose(self) -> ComposeResult:
        here, everywhere = self._shown = wizard_keys(self.screen)
        sections = [("Keys here", here)] if here else []
        sections += [("Everywhere", everywhere), ("Moving around", list(MOVING_AROUND))]
        for title, rows in sections:
            yield Static(title, classes="keys-title")
            for keys, what in rows:
                with Horizontal(classes="keys-row"):
                    yield Static(keys, classes="keys-key", markup=False)
                    yield Static(what, classes="keys-what", markup=False)
        yield Static(TYPED, classes="keys-note")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and wizard_keys(screen) != self._shown:
            self.call_after_refresh(self.recompose)
