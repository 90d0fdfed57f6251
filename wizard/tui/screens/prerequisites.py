"""Step 2: the prerequisites checklist. Items the program can check are probed live in a
worker (the web server, and Apple's DNS record under its tick); the admin ticks the others,
and the time of each tick is saved. For JumpCloud, "Connect to JumpCloud" checks its side
through the API with the admin's key (kept in memory only), and the live results replace the
ticks they cover."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Static

from wizard.core.domains import InvalidInput
from wizard.core.prerequisites.checklist import prerequisites_for
from wizard.core.prerequisites.checks import PrereqCheck
from wizard.core.prerequisites.site import SiteProbe, probe_site
from wizard.core.setups.options import verify_options
from wizard.core.setups.state import now
from wizard.tui.conditions import conditions_line, setup_conditions
from wizard.tui.safe_text import plain
from wizard.tui.screens.step import StepScreen
from wizard.tui.styles import style_for
from wizard.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from wizard.core.prerequisites.dns_txt import TxtLookup
    from wizard.core.prerequisites.jumpcloud_checks import JumpCloudFindings
    from wizard.tui.screens.jumpcloud_connect import Connected

# The checklist items JumpCloud's API answers: with a key, their live result replaces the tick.
READ_FROM_JUMPCLOUD = ("accounts_linked", "personal_enrollment")
# Its other checks, listed in the JumpCloud block at the top, in the admin's words.
JUMPCLOUD_LINES = {
    "jumpcloud_api": "API key",
    "jumpcloud_org": "Organization",
    "adue_config": "ADUE configuration",
    "service_discovery": "Service discovery",
}
LABELS = {"pass": "OK", "warn": "WARN", "fail": "NO", "skip": "skip", "manual": "check"}
STYLES = {"pass": "pass", "warn": "warn", "fail": "fail", "skip": "muted", "manual": "muted"}


class PrerequisitesScreen(StepScreen):
    STEP = "prerequisites"

    @dataclass
    class Probed(Message):
        probes: list[SiteProbe]

    @dataclass
    class TxtRecords(Message):
        lookups: list[TxtLookup]

    @dataclass
    class JumpCloudChecked(Message):
        findings: JumpCloudFindings

    def body(self) -> ComposeResult:
        yield Static(
            "Tick each item once it is true. Items marked 'checked live' are tested by this "
            "program in the background.",
            classes="question",
        )
        conditions = conditions_line(setup_conditions(self.setup))
        if conditions:
            yield Static(conditions, id="prerequisites-conditions", markup=False)
        if self.setup.provider == "jumpcloud":
            with Vertical(id="jumpcloud", classes="prerequisite"):
                yield Static(
                    Content.assemble(("JumpCloud, through its API  ", "bold")),
                    classes="auto-title",
                )
                yield Static(
                    "With an administrator's API key the wizard reads JumpCloud's side "
                    "(users' Managed Apple Accounts, personal enrollment, the ADUE "
                    "configuration) instead of asking you to tick it. Read only; the key is "
                    "kept in memory, never saved.",
                    classes="explanation",
                )
                with Horizontal(classes="row"):
                    yield Button("Connect to JumpCloud", id="connect-jumpcloud")
                    # Shown once JumpCloud says some users are not linked yet.
                    yield Button("Link accounts", id="link-accounts")
                yield Static("", id="jumpcloud-lines", classes="live")
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
                    if item.id in READ_FROM_JUMPCLOUD or item.id == "domain_verified":
                        # Filled by a live check: JumpCloud's answer, or the DNS record.
                        yield Static("", id=f"live-{item.id}", classes="live")
                if item.explanation:
                    yield Static(item.explanation, classes="explanation", markup=False)
                yield Static(f"Where: {item.where}", classes="where", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        for button in self.query("#link-accounts"):
            button.display = False
        for item_id in READ_FROM_JUMPCLOUD:
            for live in self.query(f"#live-{item_id}"):
                live.display = False
        self.probe()
        self.look_up_records()
        if self.setup.provider == "jumpcloud":
            # Connected earlier in this session: check at once, without asking again.
            self.with_jumpcloud(self.check_jumpcloud, ask=False)

    @on(Button.Pressed, "#connect-jumpcloud")
    def connect_pressed(self) -> None:
        self.with_jumpcloud(self.check_jumpcloud)

    def check_jumpcloud(self, connected: Connected) -> None:
        self.query_one("#connect-jumpcloud", Button).label = "Check again"
        self.query_one("#jumpcloud-lines", Static).update("checking JumpCloud...")
        self.read_jumpcloud(connected)

    @work(exclusive=True, name="JumpCloud checks", group="jumpcloud")
    async def read_jumpcloud(self, connected: Connected) -> None:
        from wizard.core.prerequisites.jumpcloud_checks import check_jumpcloud

        findings = await check_jumpcloud(
            connected.access, connected.org_id, tuple(self.setup.domains)
        )
        self.post_message(self.JumpCloudChecked(findings))

    @on(JumpCloudChecked)
    def show_jumpcloud(self, message: JumpCloudChecked) -> None:
        checks = {check.id: check for check in message.findings.checks}
        lines = [
            check_line(checks[name], title=title)
            for name, title in JUMPCLOUD_LINES.items()
            if name in checks
        ]
        self.query_one("#jumpcloud-lines", Static).update(Content("\n").join(lines))
        for item_id in READ_FROM_JUMPCLOUD:
            check = checks.get(item_id)
            if check is None:
                continue
            for widget in self.query(f"#tick-{item_id}, #confirmed-{item_id}"):
                widget.display = False
            live = self.query_one(f"#live-{item_id}", Static)
            live.update(check_line(check))
            live.display = True
        linked = checks.get("accounts_linked")
        link = self.query_one("#link-accounts", Button)
        link.display = linked is not None and linked.status in ("warn", "fail")

    @on(Button.Pressed, "#link-accounts")
    def link_accounts(self) -> None:
        """Plan and apply the links in their own screen; JumpCloud is checked again after."""
        from wizard.tui.screens.link_accounts import LinkAccountsScreen

        def linked(connected: Connected) -> None:
            def back(_: object) -> None:
                self.check_jumpcloud(connected)

            self.app.push_screen(LinkAccountsScreen(self.setup, connected.access), back)

        self.with_jumpcloud(linked)

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

    @work(exclusive=True, name="DNS records", group="dns")
    async def look_up_records(self) -> None:
        from wizard.core.prerequisites.dns_txt import domain_verification

        lookups = await asyncio.gather(
            *(
                domain_verification(d, nameserver=self.nameserver, timeout=5.0)
                for d in self.setup.domains
            )
        )
        self.post_message(self.TxtRecords(list(lookups)))

    @on(TxtRecords)
    def show_records(self, message: TxtRecords) -> None:
        lines = [
            Content.assemble(("DNS  ", "bold"), plain(lookup.domain), ": ", record_words(lookup))
            for lookup in message.lookups
        ]
        for live in self.query("#live-domain_verified").results(Static):
            live.update(Content("\n").join(lines))


def record_words(lookup: TxtLookup) -> Content:
    """What DNS said of Apple's record, in a few words: the `prereqs` command has the rest."""
    from wizard.core.prerequisites.dns_txt import Outcome

    if lookup.outcome is Outcome.FOUND:
        return Content.styled("Apple's verification TXT record is published", style_for("pass"))
    if lookup.outcome is Outcome.FAILED:
        return Content.styled(
            "the TXT record could not be looked up from this machine", style_for("muted")
        )
    return Content.styled(
        "no Apple TXT record (Apple may have verified the domain through your identity provider)",
        style_for("muted"),
    )


def check_line(check: PrereqCheck, *, title: str | None = None) -> Content:
    """One live check: its verdict, (its title,) its summary, and what to do; text from
    JumpCloud (names, e-mails, messages) is data."""
    parts: list[str | tuple[str, str] | Content] = [
        (f"{LABELS[check.status]:<6}", style_for(STYLES[check.status]))
    ]
    if title:
        parts.append((f"{title}: ", "bold"))
    parts.append(plain(check.summary))
    if check.remedy and check.status != "pass":
        parts += ["\n      ", plain(check.remedy, style_for("muted"))]
    return Content.assemble(*parts)


def confirmed_line(when: datetime | None) -> Content:
    if when is None:
        return Content("")
    return Content.styled(f"Confirmed {when:%Y-%m-%d %H:%M} UTC", style_for("muted"))
