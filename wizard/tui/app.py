"""The wizard application: which setup is open, which step is shown, and saving.

Screens get the setup passed down and post messages up (Navigate, SetupChanged, OpenSetup);
only this class talks to the store. Writing to the disk (a setup file with a lock and an
fsync, a run into SQLite with a busy timeout) happens in workers, one after another in the
order asked, never on the UI thread; quitting waits for what is queued. Network work runs in
screen workers; a worker that fails is reported here, in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from wizard.core.domains import InvalidInput
from wizard.core.setups.files import SaveError
from wizard.core.setups.runs import RecordedRun
from wizard.core.setups.steps import Step
from wizard.core.setups.store import Store
from wizard.core.setups.store import state_dir as state_dir_for
from wizard.core.shown import printable
from wizard.tui.clipboard import sent_line
from wizard.tui.messages import (
    BackToStart,
    JumpCloudConnected,
    Navigate,
    OpenSetup,
    RecordRun,
    SetupChanged,
)
from wizard.tui.screens.start import StartScreen
from wizard.tui.styles import use_monochrome

if TYPE_CHECKING:
    from wizard.core.prerequisites.dns_txt import Nameserver
    from wizard.core.results import DomainReport
    from wizard.core.setups.link_history import LinkRun
    from wizard.core.setups.state import SetupState
    from wizard.core.watch.drift import Baseline
    from wizard.tui.screens.jumpcloud_connect import Connected

T = TypeVar("T")
# Quitting waits this long for queued writes (a database another process holds may make
# one wait for its busy timeout); a write still running finishes in its thread.
QUIT_WAIT_S = 5.0


class WizardApp(App[int]):
    CSS_PATH = "wizard.tcss"
    TITLE = "adue-wizard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+s", "keep_check", "Save as a setup", id="keep-check"),
        # `?` is typed into a text field that has focus; F1 always works.
        Binding("f1,question_mark", "toggle_keys", "Keys", id="keys"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        blink: bool = True,
        today: date | None = None,
        shown_folder: str | None = None,
        nameserver: Nameserver | None = None,
    ) -> None:
        super().__init__()
        use_monochrome(self.no_color)
        self.store = store
        # Tests and screenshots fix these so every run renders the same screens.
        self.blink = blink
        self.today = today
        self.shown_folder = shown_folder or str(store.folder)
        # The DNS server asked for Apple's TXT record (None: the system's resolver).
        self.nameserver = nameserver
        self.setup: SetupState | None = None
        # JumpCloud's API key and organization, for this session only: never saved.
        self.jumpcloud: Connected | None = None
        self.keepable_check = False
        # Writes run one at a time, in the order asked (asyncio's lock wakes in order).
        self._disk = asyncio.Lock()
        self._writes: set[Worker[None]] = set()

    def get_default_screen(self) -> StartScreen:
        # The start screen is the bottom of the stack, in the first frame: a blank default
        # screen drawn, then covered by it, cost a fifth of the wizard's start-up. A setup's
        # step is pushed over it, and going back to start pops down to it again.
        return StartScreen(self.store.list_setups(), self.shown_folder)

    def on_mount(self) -> None:
        self.show_notices()

    def show_notices(self) -> None:
        """The store's one-line notices (damaged files moved aside), escaped."""
        for notice in self.store.all_notices():
            self.notify(printable(notice), severity="warning", timeout=15, markup=False)

    @on(StartScreen.ResumeRequested)
    def resume_setup(self, message: StartScreen.ResumeRequested) -> None:
        setup = self.store.load(message.name)  # the full model, validated
        if setup is None:  # damaged since it was listed: moved aside, with a notice
            self.reload_start()
            return
        self.post_message(OpenSetup(setup))

    @on(StartScreen.TroubleshootRequested)
    def troubleshoot(self, message: StartScreen.TroubleshootRequested) -> None:
        """Check the domain at once as a device on the internet would: no saved test
        settings, nothing saved unless the admin keeps it (Ctrl+S)."""
        # The model (pydantic) loads when a setup is opened, not when the wizard starts.
        from wizard.core.setups.state import SetupState, setup_name_for

        known = self.store.load(message.setup) if message.setup else None
        if known is not None:
            check = SetupState(
                name=known.name,
                provider=known.provider,
                org_id=known.org_id,
                generic_target=known.generic_target,
                generic_base_url=known.generic_base_url,
                domains=[message.domain],
            )
        else:
            taken = set(self.store.names())
            name = setup_name_for([message.domain], None, taken)
            check = SetupState(name=name, provider="generic", domains=[message.domain])
        check.transient = True
        check.step = "verify"
        # Only a domain no saved setup covers can be kept (Ctrl+S): decided once, here.
        self.keepable_check = known is None
        self.setup = check
        self.show_step("verify")
        self.show_notices()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep_check":  # only for a Troubleshoot check of an unsaved domain
            setup = self.setup
            return setup is not None and setup.transient and self.keepable_check
        return True

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's own copies (Ctrl+C on selected text, in a field or on the screen) say
        what they did too; the wizard's own copies go through `clipboard.send`."""
        super().copy_to_clipboard(text)
        if text:  # a cut of nothing sends nothing worth saying
            self.notify(sent_line("the selected text"), timeout=12, markup=False)

    def action_toggle_keys(self) -> None:
        """Show (or hide) the keys of the current screen, the wizard's own first."""
        # Loaded when first asked for: the start screen is the wizard's first frame.
        from wizard.tui.widgets.keys_panel import KeysPanel

        shown = self.screen.query(KeysPanel)
        if shown:
            shown.remove()
        else:
            self.screen.mount(KeysPanel())

    def action_keep_check(self) -> None:
        if self.setup is None or not self.setup.transient:
            return
        self.setup.transient = False
        self.save()
        self.notify(printable(f"Saved as setup {self.setup.name}."), markup=False)
        self.refresh_bindings()

    @on(StartScreen.RenameRequested)
    def rename_setup(self, message: StartScreen.RenameRequested) -> None:
        def done(_: object) -> None:
            self.notify(printable(f"Renamed {message.old} to {message.new}."), markup=False)

        self.write(
            lambda: self.store.rename(message.old, message.new), done, then=self.reload_start
        )

    @on(StartScreen.DeleteRequested)
    def delete_setup(self, message: StartScreen.DeleteRequested) -> None:
        def done(aside: object) -> None:
            self.notify(
                printable(
                    f"Deleted {message.name}: moved to {aside} "
                    f"(adue-wizard setup restore {message.name} brings it back)."
                ),
                timeout=15,
                markup=False,
            )

        self.write(lambda: self.store.delete(message.name), done, then=self.reload_start)

    def reload_start(self) -> None:
        if isinstance(self.screen, StartScreen):
            self.screen.show_setups(self.store.list_setups())
            self.show_notices()

    @on(OpenSetup)
    def open_setup(self, message: OpenSetup) -> None:
        self.setup = message.setup
        self.attach_recent_runs(message.setup)
        self.save()
        self.show_step(message.setup.step)

    @on(Navigate)
    def navigate(self, message: Navigate) -> None:
        if self.setup is None:
            return
        if self.setup.transient:  # a Troubleshoot check has no other steps
            self.back_to_start()
            return
        self.setup.reach(message.step)
        self.save()
        self.show_step(message.step)

    @on(BackToStart)
    def back_to_start(self) -> None:
        self.save()
        self.setup = None
        while not isinstance(self.screen, StartScreen):  # the step (and a dialog over it)
            self.pop_screen()
        self.reload_start()

    @on(SetupChanged)
    def setup_changed(self) -> None:
        self.save()

    @on(JumpCloudConnected)
    def jumpcloud_connected(self, message: JumpCloudConnected) -> None:
        self.jumpcloud = message.connected
        if self.setup is not None and self.setup.provider == "jumpcloud":
            self.setup.jumpcloud_region = message.connected.region  # type: ignore[assignment]
            self.save()

    @on(RecordRun)
    def record_run(self, message: RecordRun) -> None:
        """Show the run at once, and record it (a Troubleshoot check only shows)."""
        setup = self.setup
        if setup is None:
            return
        run = RecordedRun.of(message.results, message.conditions, message.at)
        setup.show_run(run, list(message.results))
        if setup.transient:
            return
        snapshot = setup.model_copy(deep=True)

        def recorded(run_id: int) -> None:
            # The database's own summary now (other runs may have been recorded meanwhile).
            setup.set_history(snapshot.summary, list(message.results))
            self.attach_recent_runs(setup)
            self.announce_changes(snapshot.name, run_id, message.results)

        self.write(
            lambda: self.store.record_run(snapshot, message.results, message.conditions, run.at),
            recorded,
        )

    def announce_changes(self, name: str, run_id: int, results: list[DomainReport]) -> None:
        """Post the run's changes of state to the setup's saved webhooks, as `verify --setup`
        does (a change is announced once, whichever run saw it). Outside the writes' queue:
        a webhook that hangs must not hold up saving; a problem is one notification."""
        from wizard.core.watch.notify import notify_after_run

        async def announce() -> None:
            lines = await asyncio.to_thread(notify_after_run, self.store, name, run_id, results)
            for line in lines:
                self.notify(printable(line), severity="warning", timeout=15, markup=False)

        self.run_worker(announce(), name="webhooks", group="webhooks")

    async def drift_baseline(self, setup: SetupState, conditions: Sequence[str]) -> Baseline:
        """What each domain of `setup` served at its last pass under `conditions`, read after
        the writes queued before (the run just recorded may be that pass); nothing for a
        Troubleshoot check, which has no history."""
        from wizard.core.watch.drift import Baseline

        if setup.transient:
            return Baseline({})
        async with self._disk:
            return await asyncio.to_thread(
                Baseline.load, self.store.history, setup.name, conditions
            )

    def attach_recent_runs(self, setup: SetupState) -> None:
        """Give the setup its newest runs and account-link runs, for the Markdown report
        (read in a worker)."""

        def attach(runs: tuple[list[RecordedRun], list[LinkRun]]) -> None:
            setup.recent_runs, setup.link_runs = runs

        self.write(lambda: (self.store.runs(setup, 20), self.store.link_runs(setup, 20)), attach)

    def show_step(self, step: Step) -> None:
        # The step screens load when a setup is opened, not when the wizard starts.
        from wizard.tui.screens import screen_for

        assert self.setup is not None
        screen = screen_for(step, self.setup)
        screen.jumpcloud = self.jumpcloud
        screen.nameserver = self.nameserver
        if isinstance(self.screen, StartScreen):
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def save(self) -> None:
        """Queue a write of the open setup as it is now."""
        setup = self.setup
        if setup is None or setup.transient or not setup.has_answers():
            # Nothing worth keeping yet (no "setup-2" left behind by a stray key), or a
            # Troubleshoot check the admin has not asked to keep.
            return
        old = setup.name
        # Named once the Organization step is done, not after each keystroke of a domain.
        if setup.provisional_name and setup.step != "organization" and setup.domains:
            setup.name = self.store.name_for(setup)
            setup.provisional_name = False
            self.screen.sub_title = setup.name
        snapshot = setup.model_copy(deep=True)
        if snapshot.name != old:
            self.write(lambda: self.store.save_renamed(snapshot, old))
        else:
            self.write(lambda: self.store.save(snapshot))

    def write(
        self,
        operation: Callable[[], T],
        done: Callable[[T], None] | None = None,
        *,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run `operation` (a store call) in a thread, after the writes queued before it;
        `done` gets its result on the UI thread, `then` runs either way. A store error is
        one notification; the wizard goes on."""

        async def queued() -> None:
            async with self._disk:
                try:
                    result = await asyncio.to_thread(operation)
                except (SaveError, InvalidInput) as error:
                    self.notify(printable(str(error)), severity="error", timeout=15, markup=False)
                else:
                    if done is not None:
                        done(result)
                finally:
                    if then is not None:
                        then()
                    self.show_notices()

        self._writes = {worker for worker in self._writes if not worker.is_finished}
        self._writes.add(self.run_worker(queued(), name="saving", group="disk"))

    async def writes_done(self) -> None:
        """Wait for every queued write (tests, and quitting)."""
        while pending := [worker for worker in self._writes if not worker.is_finished]:
            # A finished write may queue another (a run recorded, then its history read).
            await self.workers.wait_for_complete(pending)

    async def action_quit(self) -> None:
        # What the admin did last is on the disk before the wizard goes.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.writes_done(), QUIT_WAIT_S)
        self.exit()

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
