"""The footer of keys: every label whole, Quit and F1 always in view, rebuilt only when the
keys it shows or the form they fit in change.

Textual's Footer lays the keys out in a row and cuts what does not fit: at 60 columns the
start screen ended "d Delete  ^", Quit and F1 gone. Here the footer picks the first form
that fits the width: the full labels, then their short forms, then the short forms packed
tighter, then leaves out the screen's last keys (F1 lists them all); Quit and F1 stay.

Textual's Footer also removes and mounts all of its keys again on every bindings signal,
and a screen sends one whenever focus moves or bindings are refreshed, most often with the
same keys. The start screen sent five identical signals before its list was painted, each
rebuild costing 10-25 ms: most of the wizard's start-up beyond a minimal app's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Footer's own key widget, not exported by name

ShownKeys = tuple[tuple[Binding, bool, str], ...]

# The short form of each label, by binding id, for a narrow window.
SHORT_LABELS = {
    "new": "New",
    "troubleshoot": "Troubleshoot",
    "keep-check": "Save",
    "copy": "Copy",
    "copy-diagnosis": "Copy",
    "exact-seed": "Form",
    "rerun": "Run",
    "export": "Export",
}
# Always shown, whatever the width: keeping a Troubleshoot check (the only way to save it),
# how to leave, and how to see every key.
PINNED = ("keep-check", "quit", "keys")


def shown_keys(screen: Screen[object]) -> ShownKeys:
    """What the footer draws of the screen's bindings: each shown binding, whether it is
    enabled, and its tooltip; one per action (F1 and ? are one key)."""
    seen: set[str] = set()
    keys = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.action not in seen:
            seen.add(binding.action)
            keys.append((binding, active.enabled, active.tooltip))
    return tuple(keys)


@dataclass(frozen=True)
class Layout:
    """How the keys fit: packed tighter or not, and each key drawn with its label."""

    compact: bool
    keys: tuple[tuple[Binding, bool, str, str], ...]  # binding, enabled, tooltip, label


def lay_out(keys: ShownKeys, width: int, key_display: Callable[[Binding], str]) -> Layout:
    """The first form in which every key drawn fits `width` whole (see the module)."""
    pinned = sorted(
        (key for key in keys if key[0].id in PINNED), key=lambda k: PINNED.index(k[0].id or "")
    )
    others = [key for key in keys if key[0].id not in PINNED]

    def labelled(chosen: list[tuple[Binding, bool, str]], short: bool) -> list[tuple[str, str]]:
        return [
            (
                key_display(b),
                SHORT_LABELS.get(b.id or "", b.description) if short else b.description,
            )
            for b, _, _ in chosen
        ]

    def needed(chosen: list[tuple[Binding, bool, str]], short: bool, compact: bool) -> int:
        # Footer's styles: " key label " apart, or "key label" and a space after each.
        extra = 2 if compact else 3
        return sum(len(key) + len(label) + extra for key, label in labelled(chosen, short))

    def layout(chosen: list[tuple[Binding, bool, str]], short: bool, compact: bool) -> Layout:
        labels = [label for _, label in labelled(chosen, short)]
        return Layout(
            compact,
            tuple((b, on, tip, label) for (b, on, tip), label in zip(chosen, labels, strict=True)),
        )

    every = others + pinned
    for short, compact in ((False, False), (True, False), (True, True)):
        if needed(every, short, compact) <= width:
            return layout(every, short, compact)
    while others and needed(others + pinned, True, True) > width:
        others.pop()
    return layout(others + pinned, True, True)


class KeyFooter(Footer):
    _scheduled: ShownKeys | None = None
    _drawn: Layout | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        keys = shown_keys(screen)
        if self._bindings_ready and keys == self._scheduled:
            return  # the same keys are already drawn, or about to be
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            # Only when Footer will rebuild: without focus it does not, and the next
            # signal must not be skipped.
            self._scheduled = keys
        super().bindings_changed(screen)

    def _layout(self, width: int) -> Layout:
        return lay_out(shown_keys(self.screen), width, self.app.get_key_display)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        drawn = self._drawn = self._layout(self.size.width or self.app.size.width)
        self.set_reactive(Footer.compact, drawn.compact)
        self.set_class(drawn.compact, "-compact")
        for binding, enabled, tooltip, label in drawn.keys:
            # A short label keeps the whole one as its tooltip.
            hint = tooltip or (binding.description if label != binding.description else "")
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                label,
                binding.action,
                disabled=not enabled,
                tooltip=hint,
            ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._drawn is not None and self._layout(event.size.width) != self._drawn:
            self.call_after_refresh(self.recompose)
