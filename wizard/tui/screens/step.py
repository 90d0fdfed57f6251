"""What every step screen shares: the header with the step, Back/Next keys, the footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from wizard.core.setups.steps import STEP_TITLES, STEPS, Step
from wizard.tui.messages import BackToStart, Navigate, SetupChanged
from wizard.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from collections.abc import Callable

    from wizard.core.prerequisites.dns_txt import Nameserver
    from wizard.core.setups.state import SetupState
    from wizard.tui.screens.jumpcloud_connect import Connected


class StepScreen(Screen[None]):
    """A step of the wizard. Subclasses set STEP and compose `body()`; `leave()` may veto."""

    STEP: ClassVar[Step]
    # What has focus first; letter-key bindings need it not to be a text field.
    FIRST_FOCUS: ClassVar[str] = "Input, RadioSet, Select, Checkbox"
    # False for a screen that lays out its own scrolling parts (never one scroll in another).
    BODY_SCROLLS: ClassVar[bool] = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "next", "Next", id="next"),
    ]

    def __init__(self, setup: SetupState) -> None:
        super().__init__()
        self.setup = setup
        # The session's JumpCloud connection, handed down by the app (never saved).
        self.jumpcloud: Connected | None = None
        # The DNS server for Apple's TXT record, handed down by the app (None: the system's).
        self.nameserver: Nameserver | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        number = STEPS.index(self.STEP) + 1
        yield Static(
            f"Step {number} of {len(STEPS)}: {STEP_TITLES[self.STEP]}",
            id="step-title",
            markup=False,
        )
        with VerticalScroll(id="step-body") if self.BODY_SCROLLS else Vertical(id="step-body"):
            yield from self.body()
        yield from self.below_body()
        yield Static("", id="step-problem", markup=False)
        yield KeyFooter()

    def body(self) -> ComposeResult:
        yield from ()

    def below_body(self) -> ComposeResult:
        """Lines kept in view under the scrolling body (such as what just happened)."""
        yield from ()

    def on_mount(self) -> None:
        self.sub_title = f"{self.setup.name}"
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "blink", True)
        # Start where typing makes sense: the first control of the step.
        focusable = self.query_one("#step-body").query(self.FIRST_FOCUS)
        if focusable:
            focusable.first().focus()

    def changed(self) -> None:
        """Tell the app an answer changed, so it is saved now."""
        self.post_message(SetupChanged())

    def problem(self, text: str) -> None:
        """Show why the admin cannot go on yet (empty text clears it)."""
        self.query_one("#step-problem", Static).update(text)
        self.set_class(bool(text), "has-problem")

    def with_jumpcloud(self, then: Callable[[Connected], None], *, ask: bool = True) -> None:
        """Call `then` with the session's JumpCloud connection for this setup's organization;
        without one (or for another organization), ask for the key first (`ask`)."""
        from wizard.tui.messages import JumpCloudConnected
        from wizard.tui.screens.jumpcloud_connect import JumpCloudConnect

        known = self.jumpcloud
        if known is not None and self.setup.org_id in (None, known.org_id):
            then(known)
            return
        if not ask:
            return

        def connected(result: Connected | None) -> None:
            if result is None:
                return
            self.jumpcloud = result
            self.post_message(JumpCloudConnected(result))
            then(result)

        dialog = JumpCloudConnect(
            self.setup.org_id, self.setup.jumpcloud_region, self.setup.jumpcloud_api_url
        )
        self.app.push_screen(dialog, connected)

    def leave(self) -> bool:
        """Check and store this step's answers before Next; False keeps the admin here."""
        return True

    def action_next(self) -> None:
        if not self.leave():
            return
        index = STEPS.index(self.STEP)
        if index + 1 < len(STEPS):
            self.post_message(Navigate(STEPS[index + 1]))

    def action_back(self) -> None:
        index = STEPS.index(self.STEP)
        if index > 0:
            self.post_message(Navigate(STEPS[index - 1]))
        else:
            self.post_message(BackToStart())
