"""The wizard application: which setup is open, which step is shown, and saving.

Screens get the setup passed down and post messages up (Navigate, SetupChanged, OpenSetup);
only this class talks to the store. Network work runs in screen workers; a worker that fails
is reported here, in one place.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from wizard.core.domains import InvalidInput
from wizard.core.setups.files import SaveError
from wizard.core.setups.steps import Step
from wizard.core.setups.store import Store
from wizard.core.setups.store import state_dir as state_dir_for
from wizard.core.verify.text_report import printable
from wizard.tui.messages import BackToStart, Navigate, OpenSetup, RecordRun, SetupChanged
from wizard.tui.screens.start import StartScreen

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState


class WizardApp(App[int]):
    CSS_PATH = "wizard.tcss"
    TITLE = "adue-wizard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)
    ]

    def __init__(self, store: Store, *, blink: bool = True, today: date | None = None) -> None:
        super().__init__()
        self.store = store
        # Tests and screenshots fix these so every run renders the same screens.
        self.blink = blink
        self.today = today
        self.setup: SetupState | None = None

    def on_mount(self) -> None:
        # Paint the start screen first, then read the saved setups into it.
        start = StartScreen(None, str(self.store.folder))
        self.push_screen(start)
        self.call_after_refresh(self.load_setups, start)

    def load_setups(self, start: StartScreen) -> None:
        start.show_setups(self.store.load_all())
        self.show_notices()

    def show_notices(self) -> None:
        """The store's one-line notices (damaged files moved aside), escaped."""
        for notice in self.store.all_notices():
            self.notify(printable(notice), severity="warning", timeout=15, markup=False)

    @on(StartScreen.RenameRequested)
    def rename_setup(self, message: StartScreen.RenameRequested) -> None:
        try:
            self.store.rename(message.old, message.new)
        except (InvalidInput, SaveError) as error:
            self.notify(printable(str(error)), severity="error", timeout=15, markup=False)
        else:
            self.notify(printable(f"Renamed {message.old} to {message.new}."), markup=False)
        self.reload_start()

    @on(StartScreen.DeleteRequested)
    def delete_setup(self, message: StartScreen.DeleteRequested) -> None:
        try:
            aside = self.store.delete(message.name)
        except (InvalidInput, SaveError) as error:
            self.notify(printable(str(error)), severity="error", timeout=15, markup=False)
        else:
            self.notify(
                printable(f"Deleted {message.name}: moved to {aside} (rename it back to restore)."),
                timeout=15,
                markup=False,
            )
        self.reload_start()

    def reload_start(self) -> None:
        if isinstance(self.screen, StartScreen):
            self.load_setups(self.screen)

    @on(OpenSetup)
    def open_setup(self, message: OpenSetup) -> None:
        self.setup = message.setup
        self.store.attach_recent_runs(self.setup)
        self.save()
        self.show_step(message.setup.step)

    @on(Navigate)
    def navigate(self, message: Navigate) -> None:
        if self.setup is None:
            return
        self.setup.reach(message.step)
        self.save()
        self.show_step(message.step)

    @on(BackToStart)
    def back_to_start(self) -> None:
        self.save()
        self.setup = None
        start = StartScreen(None, str(self.store.folder))
        self.switch_screen(start)
        self.call_after_refresh(self.load_setups, start)

    @on(SetupChanged)
    def setup_changed(self) -> None:
        self.save()

    @on(RecordRun)
    def record_run(self, message: RecordRun) -> None:
        if self.setup is None:
            return
        try:
            self.store.record_run(self.setup, message.results, message.conditions)
            self.store.attach_recent_runs(self.setup)
        except SaveError as error:
            self.notify(printable(str(error)), severity="error", timeout=15, markup=False)
        self.show_notices()

    def show_step(self, step: Step) -> None:
        from wizard.tui.screens import screen_for

        assert self.setup is not None
        self.switch_screen(screen_for(step, self.setup))

    def save(self) -> None:
        if self.setup is None or not self.setup.has_answers():
            return  # nothing worth keeping yet: no "setup-2" left behind by a stray key
        try:
            # Named once the Organization step is done, not after each keystroke of a domain.
            named = self.setup.step != "organization" and self.setup.domains
            if self.setup.provisional_name and named:
                self.store.rename_for_domains(self.setup)
                self.screen.sub_title = self.setup.name
            else:
                self.store.save(self.setup)
        except SaveError as error:
            self.notify(printable(str(error)), severity="error", timeout=15, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported (its screen stays usable)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                printable(
                    f"{event.worker.name or 'background task'} failed: "
                    f"{type(error).__name__}: {error}"
                ),
                severity="error",
                timeout=15,
                markup=False,
            )


def run_app(state_dir: str | None = None) -> int:
    result = WizardApp(Store(state_dir_for(state_dir))).run()
    return result or 0
