"""Step 6: what to do next in the MDM's console, how users enroll, and the report export."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from wizard.core.providers import PRESETS
from wizard.core.setups.report_markdown import write_markdown_report
from wizard.core.shown import one_line
from wizard.tui.conditions import conditions_line, setup_conditions
from wizard.tui.screens.step import StepScreen


def next_steps(setup_method: str | None, domains: list[str], provider: str) -> str:
    """The MDM's own next steps, numbered, then its known traps. A step about the domain is
    given for every domain (2.1, 2.2, ...): the console confirms them one at a time."""
    preset = PRESETS[provider]
    choice = "Self Host" if setup_method == "self-host" else "Redirect"
    lines = []
    for number, step in enumerate(preset.next_steps, 1):
        if "{domain}" in step and len(domains) > 1:
            lines += [
                f"{number}.{index}. {step.format(domain=domain, choice=choice)}"
                for index, domain in enumerate(domains, 1)
            ]
        else:
            domain = domains[0] if domains else "your domain"
            lines.append(f"{number}. {step.format(domain=domain, choice=choice)}")
    lines += [f"Note: {trap}" for trap in preset.traps]
    lines += [f"Unconfirmed: {fact}" for fact in preset.unconfirmed]
    return "\n".join(lines)


class DoneScreen(StepScreen):
    STEP = "done"
    FIRST_FOCUS = "#export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        # The last step: Ctrl+N is not offered as Next; pressed, it says so (action_next).
        Binding("ctrl+n", "next", show=False, id="next"),
        Binding("x", "export", "Export report", id="export"),
    ]

    def body(self) -> ComposeResult:
        setup = self.setup
        # The last run's own settings decide its verdict's wording, whatever is saved now.
        run_conditions = list(setup.summary.last_conditions)
        if setup.last_verified_at is None:
            verdict = "Not verified yet: go Back (Esc) to the Verify step first."
        elif setup.last_failure is None and run_conditions:
            verdict = (
                f"Verified {setup.last_verified_at:%Y-%m-%d %H:%M} UTC: passed under test "
                "settings. Check again without them (Verify step, o) before confirming in "
                "the portal."
            )
        elif setup.last_failure is None:
            verdict = f"Verified {setup.last_verified_at:%Y-%m-%d %H:%M} UTC: every domain passed."
        elif setup.summary.last_unknown:
            # This machine's resolver failed: nothing is known about the domains either way.
            verdict = (
                f"Last check {setup.last_verified_at:%Y-%m-%d %H:%M} UTC: UNKNOWN, this machine "
                "could not resolve names; check its network and DNS, then check again (Verify "
                "step, r) before confirming in the portal."
            )
        else:
            verdict = (
                f"Last check {setup.last_verified_at:%Y-%m-%d %H:%M} UTC FAILED "
                f"({setup.last_failure}): fix it before confirming in the portal."
            )
        if setup.last_verified_at is not None:
            if run_conditions:  # the line describes the run above which it sits
                yield Static(conditions_line(run_conditions), id="done-conditions", markup=False)
            if setup_conditions(setup) != run_conditions:
                verdict += (
                    " The test settings have changed since that check: check again (Verify "
                    "step, r)."
                )
        yield Static(verdict, id="verdict", classes="question", markup=False)
        yield Static("What to do next:", classes="question")
        yield Static(next_steps(setup.method, setup.domains, setup.provider), markup=False)
        yield Static("Export the setup and last results as a Markdown report:", classes="question")
        # Where the last export went, as typed: the admin's folder and name, not ours again.
        proposed = setup.report_path or str(Path.home() / f"adue-wizard-{setup.name}-report.md")
        with Horizontal(classes="row"):
            yield Input(proposed, id="report-path")
            yield Button("Export (x)", id="export", variant="primary")

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#report-path")
    def action_export(self) -> None:
        typed = self.query_one("#report-path", Input).value.strip()
        if typed:
            self.export(typed)

    @work(exclusive=True, name="report export")
    async def export(self, typed: str) -> None:
        """Write the report in a thread (an fsync on a slow disk never freezes the screen),
        then remember where, as typed."""
        path = Path(typed).expanduser()
        try:
            await asyncio.to_thread(write_markdown_report, self.setup, path)
        except OSError as error:
            reason = error.strerror or str(error)
            shown = one_line(str(path))
            self.notify(f"Not exported: {shown}: {reason}", severity="error", markup=False)
            return
        self.setup.report_path = typed
        self.changed()
        shown = one_line(str(path))
        self.notify(f"Report written to {shown} (readable by you only).", markup=False)

    def action_next(self) -> None:
        # The last step: Next does nothing silently (it used to rewrite the report file).
        self.notify("This is the last step. x exports the report; Esc goes back.", markup=False)
