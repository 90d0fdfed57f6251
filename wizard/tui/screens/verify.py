"""Step 5: verify every domain the way a device does, in a worker.

Laid out for many domains on a small terminal: a summary line at the top, one row per domain
(verdict, failure code and cause; failures first), and below it the selected domain's
details filling the rest of the window, in the one scrolling pane. `c` copies the selected
domain's diagnosis to the clipboard (OSC 52), `r` runs it again, `o` changes the settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from wizard.core.diagnosis.evidence_report import diagnosis_text
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.diagnosis.run_summary import run_headline
from wizard.core.domains import InvalidInput
from wizard.core.results import Check, DomainReport
from wizard.core.setups.options import verify_options
from wizard.core.setups.state import SetupState, VerifySettings, now
from wizard.core.shown import printable
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.verifier import Verifier
from wizard.tui.clipboard import send, sent_line
from wizard.tui.conditions import conditions_line, setup_conditions
from wizard.tui.messages import RecordRun
from wizard.tui.screens.step import StepScreen
from wizard.tui.screens.verify_settings import VerifySettingsDialog
from wizard.tui.styles import style_for
from wizard.tui.widgets.domain_result import DomainResultView, verdict_of

if TYPE_CHECKING:
    from wizard.tui.app import WizardApp

# Order of the domain list: what needs fixing first; a domain this machine could not look
# up (nothing known) right after the failures.
_RANK = {"fail": 0, "unknown": 1, "warn": 2, "running": 3, "unchecked": 4, "pass": 5}


class VerifyScreen(StepScreen):
    STEP = "verify"
    BODY_SCROLLS = False
    FIRST_FOCUS = "DataTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        Binding("r", "run", "Run again", id="rerun"),
        Binding("o", "settings", "Settings", id="settings"),
        Binding("c", "copy", "Copy diagnosis", id="copy-diagnosis"),
        # Before the domain list's own PgUp/PgDn: the list is short, the details are not.
        Binding(
            "pagedown",
            "details(1)",
            "Scroll details down",
            show=False,
            priority=True,
            id="details-down",
        ),
        Binding(
            "pageup",
            "details(-1)",
            "Scroll details up",
            show=False,
            priority=True,
            id="details-up",
        ),
    ]

    # Each message names its run: a run replaced by a newer one (r pressed again, after new
    # settings) may still have messages queued, and they must not land under the new run's
    # settings line, nor be recorded with its settings.
    @dataclass
    class CheckDone(Message):
        run: int
        domain: str
        check: Check

    @dataclass
    class DomainDone(Message):
        run: int
        result: DomainReport

    @dataclass
    class RunDone(Message):
        run: int
        results: list[DomainReport]
        conditions: list[str]  # the test settings the run was made under

    @dataclass
    class PhaseStarted(Message):
        run: int
        domain: str
        phase: str  # e.g. "the TLS handshake with example.com"

    def __init__(self, setup: SetupState) -> None:
        super().__init__(setup)
        self._run = 0  # the run whose results are shown (0: the recorded one, if any)
        self._conditions: tuple[str, ...] = ()  # the test settings of the shown results
        previous = {result.domain: result for result in self.setup.last_results}
        self.results: dict[str, DomainReport | None] = {
            domain: previous.get(domain) for domain in self.setup.domains
        }
        self.live_checks: dict[str, list[Check]] = {
            domain: list(result.checks) if result else [] for domain, result in self.results.items()
        }
        self.running: set[str] = set()
        self.selected: str | None = None

    def body(self) -> ComposeResult:
        # The top lines: what the run is doing and how it went. Other status lines (the
        # test conditions, the running phase) belong in this group too.
        with Vertical(id="verify-top"):
            yield Static("", id="verify-conditions", markup=False)
            yield Static("", id="verify-status", markup=False)
            yield Static("", id="verify-summary")
        table: DataTable[Text] = DataTable(id="verify-domains", cursor_type="row")
        yield table
        first = self.setup.domains[0] if self.setup.domains else ""
        with VerticalScroll(id="verify-details"):
            yield DomainResultView(first, self.results.get(first))

    def on_mount(self) -> None:
        table = self.query_one("#verify-domains", DataTable)
        table.add_column("Domain", key="domain")
        table.add_column("Result", key="result")
        table.add_column("Cause", key="cause")
        self._fill_table()
        super().on_mount()
        if not self.setup.domains:
            self._status("No domains to check: add them on the Organization step (Esc).")
        elif self.setup.last_verified_at is None:
            self.action_run()
        else:
            # The recorded run's own settings above its results, whatever is saved now.
            self._conditions = tuple(self.setup.summary.last_conditions)
            self._show_conditions(list(self._conditions))
            line = f"{self._history_line()} r runs it again, o changes the settings."
            self._status(f"{line}{self._settings_changed()}")

    # -- what is shown ------------------------------------------------------------------

    def _history_line(self) -> str:
        """When it was last checked, how that went: failing since when, or last passed."""
        setup = self.setup
        summary = setup.summary
        line = f"Last checked {setup.last_verified_at:%Y-%m-%d %H:%M} UTC"
        if setup.last_failure is None:
            # The settings of the stored run, not today's: a PASS made under test settings
            # stays marked as such.
            under = " under test settings" if setup.summary.last_conditions else ""
            return f"{line}: passed{under}."
        verdict = "UNKNOWN" if summary.last_unknown else "FAILED"
        parts = [f"{line}: {verdict} ({setup.last_failure})"]
        if summary.failing_since:
            known = "last known: " if summary.last_unknown else ""
            parts.append(f"{known}failing since {summary.failing_since:%Y-%m-%d %H:%M} UTC")
        passed = summary.last_passed_at
        parts.append(f"last passed {passed:%Y-%m-%d %H:%M} UTC" if passed else "never passed")
        return "; ".join(parts) + "."

    def _show_conditions(self, conditions: list[str]) -> None:
        """The test settings line of the results below it (never of settings saved since);
        hidden when they were made without any."""
        line = self.query_one("#verify-conditions", Static)
        line.update(conditions_line(conditions))
        line.display = bool(conditions)

    def _settings_changed(self) -> str:
        """A sentence when the saved settings are not those of the results shown."""
        saved = setup_conditions(self.setup)
        if saved == list(self._conditions):
            return ""
        if not self._conditions:
            made, then = "without test settings", "with the saved ones"
        elif not saved:
            made, then = "under the test settings above, since cleared", "without them"
        else:
            made, then = "under the test settings above, not those saved now", "with the saved ones"
        return f" The results below were made {made}: r checks {then}."

    def _status(self, text: str) -> None:
        self.query_one("#verify-status", Static).update(text)

    def _state(self, domain: str) -> str:
        result = self.results.get(domain)
        if result is None:
            return "running" if domain in self.running else "unchecked"
        if result.unknown:
            return "unknown"
        if not result.ok:
            return "fail"
        return "warn" if result.warned else "pass"

    def _cause(self, domain: str) -> str:
        """Why the first failing check failed (else the first warning): its cause when the
        evidence shows one, else the few words its code has ("does not resolve")."""
        result = self.results.get(domain)
        if result is None:
            return ""
        for status in ("fail", "warn"):
            for check in result.checks:
                if check.status == status:
                    if check.cause:
                        return check.cause
                    return remedy_for(check.code).brief if check.code else ""
        return ""

    def _ordered(self) -> list[str]:
        order = {domain: index for index, domain in enumerate(self.setup.domains)}
        return sorted(self.setup.domains, key=lambda d: (_RANK[self._state(d)], order[d]))

    def _fill_table(self) -> None:
        table = self.query_one("#verify-domains", DataTable)
        table.clear()
        for domain in self._ordered():
            verdict, style = verdict_of(self.results.get(domain), domain in self.running)
            # Rich Text (never markup) for the cells: the table measures it to size its columns.
            table.add_row(
                Text(printable(domain)),
                Text(verdict, style=style),
                Text(printable(self._cause(domain))),
                key=domain,
            )
        if self.selected in self.results:
            table.move_cursor(row=table.get_row_index(self.selected), animate=False)
        elif self.setup.domains:
            self.selected = self._ordered()[0]
            table.move_cursor(row=0, animate=False)
        self._summarise()
        self._show_selected()

    def _summarise(self) -> None:
        states = [self._state(domain) for domain in self.setup.domains]
        counts: list[Content] = []
        for state, word, style in (
            ("fail", "failed", style_for("fail")),
            ("unknown", "unknown", style_for("warn")),
            ("warn", "with warnings", style_for("warn")),
            ("pass", "passed", style_for("pass")),
            ("running", "checking", "cyan"),
            ("unchecked", "not checked", style_for("muted")),
        ):
            count = states.count(state)
            if count:
                counts.append(Content.styled(f"{count} {word}", style))
        total = f"{len(states)} domain{'s' if len(states) != 1 else ''}: "
        summary = Content.assemble(total, Content(", ").join(counts))
        # What the domains share comes first, said once above the list: all failing alike
        # (the problem is probably on this side), or this machine could not resolve names.
        done = [result for result in self.results.values() if result is not None]
        headline = run_headline(done) if done and len(done) == len(states) else None
        if headline:
            first = Content.styled(headline[:1].upper() + headline[1:], "bold")
            summary = Content.assemble(first, "\n", summary)
        self.query_one("#verify-summary", Static).update(summary)

    def _show_selected(self) -> None:
        if self.selected is None:
            return
        domain = self.selected
        checks = self.live_checks.get(domain, [])
        view = self.query_one(DomainResultView)
        view.show(domain, self.results.get(domain), checks, domain in self.running)

    @on(DataTable.RowHighlighted, "#verify-domains")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        domain = event.row_key.value
        if domain is not None and domain != self.selected:
            self.selected = domain
            self._show_selected()
            self.query_one("#verify-details", VerticalScroll).scroll_home(animate=False)

    # -- actions ------------------------------------------------------------------------

    def action_details(self, pages: int) -> None:
        details = self.query_one("#verify-details", VerticalScroll)
        if pages > 0:
            details.scroll_page_down(animate=False)
        else:
            details.scroll_page_up(animate=False)

    def action_copy(self) -> None:
        """Send the selected domain's diagnosis to the terminal's clipboard (OSC 52)."""
        result = self.results.get(self.selected or "")
        if result is None:
            self.notify("Nothing to copy yet: this domain has not been checked.")
            return
        send(self.app, diagnosis_text(result))
        what = f"the diagnosis of {printable(result.domain)}"
        self.notify(
            sent_line(what, "the report exported on the Done step (x) holds it too"),
            timeout=12,
            markup=False,
        )

    def action_run(self) -> None:
        if not self.setup.domains:
            return
        try:
            options = verify_options(self.setup)
        except InvalidInput as error:
            self._status(f"Settings problem: {error} (press o)")
            return
        self._run += 1
        self.running = set(self.setup.domains)
        self.results = dict.fromkeys(self.setup.domains)
        self.live_checks = {domain: [] for domain in self.setup.domains}
        self._fill_table()
        self._conditions = tuple(options.conditions())
        self._show_conditions(list(self._conditions))
        self._status("Checking as an iPhone would...")
        self.verify(options, self._run)

    @work(exclusive=True, name="verification")
    async def verify(self, options: VerifyOptions, run: int) -> None:
        def on_check(domain: str, check: Check) -> None:
            # A copy: the diagnosis completes the check later, on the finished report.
            self.post_message(self.CheckDone(run, domain, dataclasses.replace(check)))

        def on_phase(domain: str, phase: str) -> None:
            self.post_message(self.PhaseStarted(run, domain, phase))

        # What each domain served at its last pass: a passing domain that serves something
        # else now gets the warning changed_since_pass, as `verify --setup` gives it.
        baseline = await cast("WizardApp", self.app).drift_baseline(self.setup, self._conditions)
        options = await self.compared_with_jumpcloud(options)
        results: list[DomainReport] = []
        async with Verifier(options) as verifier:
            async for report in verifier.verify_all(self.setup.domains, on_check, on_phase):
                baseline.mark(report)
                results.append(report)
                self.post_message(self.DomainDone(run, report))
        self.post_message(self.RunDone(run, results, options.conditions()))

    async def compared_with_jumpcloud(self, options: VerifyOptions) -> VerifyOptions:
        """Connected to JumpCloud in this session: the domains are judged against its own
        configuration, as `verify --setup` does with a key; otherwise as they were."""
        connected = self.jumpcloud
        if self.setup.provider != "jumpcloud" or connected is None:
            return options
        if self.setup.org_id not in (None, connected.org_id):
            return options  # the key is another organization's
        from wizard.core.jumpcloud.access import read_adue_configuration
        from wizard.core.jumpcloud.errors import ApiError
        from wizard.core.setups.options import with_jumpcloud_configuration

        try:
            config = await read_adue_configuration(connected.access, connected.org_id)
        except ApiError as error:
            self.notify(
                printable(f"Not compared with JumpCloud's configuration: {error}"),
                severity="warning",
                markup=False,
            )
            return options
        return with_jumpcloud_configuration(self.setup, options, config)

    @on(CheckDone)
    def check_done(self, message: CheckDone) -> None:
        if message.run != self._run:
            return  # from a run replaced since
        self.live_checks.setdefault(message.domain, []).append(message.check)
        if message.domain == self.selected:
            self._show_selected()

    @on(PhaseStarted)
    def phase_started(self, message: PhaseStarted) -> None:
        if message.run == self._run and message.domain in self.running:
            self._status(f"Checking as an iPhone would... {message.domain}: {message.phase}")

    @on(DomainDone)
    def domain_done(self, message: DomainDone) -> None:
        if message.run != self._run:
            return
        domain = message.result.domain
        self.results[domain] = message.result
        self.live_checks[domain] = list(message.result.checks)
        self.running.discard(domain)
        self._fill_table()

    @on(RunDone)
    def run_done(self, message: RunDone) -> None:
        if message.run != self._run:
            return
        at = now()
        # The app shows the run on the setup at once, and records it with its own settings.
        self.post_message(RecordRun(message.results, message.conditions, at))
        failed = [result.domain for result in message.results if not result.ok]
        when = f"{at:%Y-%m-%d %H:%M} UTC"
        if failed and all(result.ok or result.unknown for result in message.results):
            line = (
                f"{when}: nothing known about {len(failed)} of {len(message.results)}: this "
                "machine could not resolve names. Check its network and DNS, then r."
            )
        elif failed:
            line = (
                f"{when}: {len(failed)} of {len(message.results)} failed. Fix, then r; "
                "c copies the selected diagnosis."
            )
        elif message.conditions:
            line = (
                f"{when}: passed under test settings; a device on the internet may see "
                "something else. Next (ctrl+n) for what to do in the portal."
            )
        else:
            line = f"{when}: every domain passed. Next (ctrl+n) for what to do in the portal."
        self._status(f"{line}{self._settings_changed()}")

    def action_settings(self) -> None:
        families = self.setup.preset.model_families
        self.app.push_screen(
            VerifySettingsDialog(self.setup.settings, families), self._settings_saved
        )

    def _settings_saved(self, settings: VerifySettings | None) -> None:
        if settings is None:
            return
        self.setup.settings = settings
        self.changed()
        # The settings line stays that of the results shown: they were not made with these.
        if self.running:
            self._status(
                "Settings saved; the check running now uses the earlier ones: r checks again "
                "with the new ones."
            )
        else:
            same = " The results below were made with the same settings."
            self._status(f"Settings saved.{self._settings_changed() or same}")
