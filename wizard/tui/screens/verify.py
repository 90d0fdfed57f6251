"""Step 5: verify every domain the way a device does, in a worker; each check appears as it
finishes, with the hops and the remedy under each warning or failure. `r` runs it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from wizard.core.domains import InvalidInput
from wizard.core.setups.options import verify_options
from wizard.core.setups.state import CheckRecord, DomainResult, VerifySettings, now
from wizard.core.verify.results import Check
from wizard.core.verify.verifier import Verifier, VerifyOptions
from wizard.tui.conditions import conditions_line, setup_conditions
from wizard.tui.screens.step import StepScreen
from wizard.tui.screens.verify_settings import VerifySettingsDialog
from wizard.tui.widgets.domain_result import DomainResultView, view_id


class VerifyScreen(StepScreen):
    STEP = "verify"
    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        Binding("r", "run", "Run again", id="rerun"),
        Binding("o", "settings", "Settings", id="settings"),
    ]

    @dataclass
    class CheckDone(Message):
        domain: str
        check: CheckRecord

    @dataclass
    class DomainDone(Message):
        result: DomainResult

    @dataclass
    class RunDone(Message):
        results: list[DomainResult]

    @dataclass
    class PhaseStarted(Message):
        domain: str
        phase: str  # e.g. "the TLS handshake with example.com"

    _conditions: tuple[str, ...] = ()  # the test settings of the run in progress

    def body(self) -> ComposeResult:
        yield Static("", id="verify-status", markup=False)
        yield Static("", id="verify-conditions", markup=False)
        previous = {result.domain: result for result in self.setup.last_results}
        for domain in self.setup.domains:
            yield DomainResultView(domain, previous.get(domain))

    def on_mount(self) -> None:
        super().on_mount()
        self._show_conditions(setup_conditions(self.setup))
        if not self.setup.domains:
            self._status("No domains to check: add them on the Organization step (Esc).")
        elif self.setup.last_verified_at is None:
            self.action_run()
        else:
            self._status(f"{self._history_line()} r runs it again, o changes the settings.")

    def _history_line(self) -> str:
        """When it was last checked, how that went, and when it last passed."""
        setup = self.setup
        line = f"Last checked {setup.last_verified_at:%Y-%m-%d %H:%M} UTC"
        if setup.last_failure is None:
            under = " under test settings" if setup_conditions(setup) else ""
            return f"{line}: passed{under}."
        passed = setup.last_passed_at()
        since = f"last passed {passed:%Y-%m-%d %H:%M} UTC" if passed else "never passed"
        return f"{line}: FAILED ({setup.last_failure}); {since}."

    def _show_conditions(self, conditions: list[str]) -> None:
        """The test settings line, above any verdict; hidden when there are none."""
        line = self.query_one("#verify-conditions", Static)
        line.update(conditions_line(conditions))
        line.display = bool(conditions)

    def _status(self, text: str) -> None:
        self.query_one("#verify-status", Static).update(text)

    def _view(self, domain: str) -> DomainResultView:
        return self.query_one(f"#{view_id(domain)}", DomainResultView)

    def action_run(self) -> None:
        if not self.setup.domains:
            return
        try:
            options = verify_options(self.setup)
        except InvalidInput as error:
            self._status(f"Settings problem: {error} (press o)")
            return
        for domain in self.setup.domains:
            self._view(domain).start()
        self._conditions = tuple(options.conditions())
        self._show_conditions(list(self._conditions))
        self._status("Checking as an iPhone would...")
        self.verify(options)

    @work(exclusive=True, name="verification")
    async def verify(self, options: VerifyOptions) -> None:
        def on_check(domain: str, check: Check) -> None:
            self.post_message(self.CheckDone(domain, CheckRecord(**check.as_json())))

        def on_phase(domain: str, phase: str) -> None:
            self.post_message(self.PhaseStarted(domain, phase))

        results: list[DomainResult] = []
        async with Verifier(options) as verifier:
            async for report in verifier.verify_all(self.setup.domains, on_check, on_phase):
                result = DomainResult.from_report(report)
                results.append(result)
                self.post_message(self.DomainDone(result))
        self.post_message(self.RunDone(results))

    @on(CheckDone)
    def check_done(self, message: CheckDone) -> None:
        self._view(message.domain).add_check(message.check)

    @on(PhaseStarted)
    def phase_started(self, message: PhaseStarted) -> None:
        if any(view.running for view in self.query(DomainResultView)):
            self._status(f"Checking as an iPhone would... {message.domain}: {message.phase}")

    @on(DomainDone)
    def domain_done(self, message: DomainDone) -> None:
        self._view(message.result.domain).finish(message.result)

    @on(RunDone)
    def run_done(self, message: RunDone) -> None:
        self.setup.record_results(message.results, now())
        self.changed()
        failed = [result.domain for result in message.results if not result.ok]
        when = f"{self.setup.last_verified_at:%Y-%m-%d %H:%M} UTC"
        if failed:
            self._status(f"{when}: {len(failed)} of {len(message.results)} failed. Fix, then r.")
        elif self._conditions:
            self._status(
                f"{when}: passed under test settings; a device on the internet may see "
                "something else. Next (ctrl+n) for what to do in the portal."
            )
        else:
            self._status(
                f"{when}: every domain passed. Next (ctrl+n) for what to do in the portal."
            )

    def action_settings(self) -> None:
        self.app.push_screen(VerifySettingsDialog(self.setup.settings), self._settings_saved)

    def _settings_saved(self, settings: VerifySettings | None) -> None:
        if settings is None:
            return
        self.setup.settings = settings
        self.changed()
        self._show_conditions(setup_conditions(self.setup))
        self._status("Settings saved. r runs the check with them.")
