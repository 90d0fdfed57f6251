"""The footer of keys, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts all of its keys again on every bindings signal, and a
screen sends one whenever focus moves or bindings are refreshed, most often with the same
keys. The start screen sent five identical signals before its list was painted, each rebuild
costing 10-25 ms: most of the wizard's start-up beyond a minimal app's.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

ShownKeys = tuple[tuple[Binding, bool, str], ...]


def shown_keys(screen: Screen[object]) -> ShownKeys:
    """What the footer draws of the screen's bindings: each shown binding, whether it is
    enabled, and its tooltip (the fields Footer.compose reads)."""
    return tuple(
        (active.binding, active.enabled, active.tooltip)
        for active in screen.active_bindings.values()
        if active.binding.show
    )


class KeyFooter(Footer):
    _scheduled: ShownKeys | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        keys = shown_keys(screen)
        if self._bindings_ready and keys == self._scheduled:
            return  # the same keys are already drawn, or about to be
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            # Only when Footer will rebuild: without focus it does not, and the next
            # signal must not be skipped.
            self._scheduled = keys
        super().bindings_changed(screen)
