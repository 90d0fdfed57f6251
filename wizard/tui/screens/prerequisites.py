"""Step 2: the prerequisites checklist. Items the program can check are probed live in a
worker; the admin ticks the others, and the time of each tick is saved."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Static

from wizard.core.domains import InvalidInput
from wizard.core.prerequisites.checklist import prerequisites_for
from wizard.core.prerequisites.site import SiteProbe, probe_site
from wizard.core.setups.options import verify_options
from wizard.core.setups.state import now
from wizard.tui.conditions import conditions_line, setup_conditions
from wizard.tui.safe_text import plain
from wizard.tui.screens.step import StepScreen
from wizard.tui.styles import style_for
from wizard.tui.widgets.tick_box import TickBox


class PrerequisitesScreen(StepScreen):
    STEP = "prerequisites"

    @dataclass
    class Probed(Message):
        probes: list[SiteProbe]

    def body(self) -> ComposeResult:
        yield Static(
            "Tick each item once it is true. Items marked 'checked live' are tested by this "
            "program in the background.",
            classes="question",
        )
        conditions = conditions_line(setup_conditions(self.setup))
        if conditions:
            yield Static(conditions, id="prerequisites-conditions", markup=False)
        for item in prerequisites_for(self.setup.provider):
            with Vertical(classes="prerequisite"):
                if item.automatic:
                    yield Static(
                        Content.assemble(("checked live  ", "bold"), item.title),
                        classes="auto-title",
                    )
                    yield Static("checking...", id=f"live-{item.id}", classes="live")
                else:
                    when = self.setup.prerequisites.get(item.id)
                    yield TickBox(item.title, when is not None, id=f"tick-{item.id}")
                    # On a line of its own: a check box label is cut at the window's edge.
                    yield Static(
                        confirmed_line(when), id=f"confirmed-{item.id}", classes="confirmed"
                    )
                if item.explanation:
                    yield Static(item.explanation, classes="explanation", markup=False)
                yield Static(f"Where: {item.where}", classes="where", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.probe()

    @work(exclusive=True, name="prerequisite checks")
    async def probe(self) -> None:
        try:
            options = verify_options(self.setup)
        except InvalidInput as error:
            self.problem(f"Settings problem: {error} (the Verify step's o)")
            return
        # The Verify step's settings, each check bounded as there (10 s at most here).
        options = dataclasses.replace(options, timeout=min(options.timeout, 10.0))
        probes = await asyncio.gather(
            *(probe_site(domain, options) for domain in self.setup.domains)
        )
        self.post_message(self.Probed(list(probes)))

    @on(Probed)
    def show_probes(self, message: Probed) -> None:
        for item in prerequisites_for(self.setup.provider):
            if not item.automatic:
                continue
            parts: list[Content] = []
            for probe in message.probes:
                answer = probe.answer(item.automatic)
                note = probe.certificate_note if item.automatic == "certificate" else None
                if answer is None:
                    label, style = "skip", style_for("muted")
                else:
                    label, style = (
                        ("OK", style_for("pass")) if answer else ("NO", style_for("fail"))
                    )
                parts.append(
                    Content.assemble(
                        (f"{label:<4} ", style),
                        plain(probe.domain),
                        plain(f": {note}" if note else "", style_for("muted")),
                    )
                )
                if answer is False:
                    parts.append(
                        Content.assemble("      ", plain(probe.detail, style_for("muted")))
                    )
            if not parts:
                parts.append(Content("no domains entered"))
            live = self.query_one(f"#live-{item.id}", Static)
            live.update(Content("\n").join(parts))

    @on(Checkbox.Changed)
    def ticked(self, event: Checkbox.Changed) -> None:
        item_id = (event.checkbox.id or "").removeprefix("tick-")
        if event.value:
            self.setup.prerequisites[item_id] = now()
        else:
            self.setup.prerequisites.pop(item_id, None)
        confirmed = self.query_one(f"#confirmed-{item_id}", Static)
        confirmed.update(confirmed_line(self.setup.prerequisites.get(item_id)))
        self.changed()


def confirmed_line(when: datetime | None) -> Content:
    if when is None:
        return Content("")
    return Content.styled(f"Confirmed {when:%Y-%m-%d %H:%M} UTC", style_for("muted"))
