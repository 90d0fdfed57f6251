"""Link accounts: each JumpCloud user gets their Managed Apple Account, from a CSV or from
their own e-mail, as `adue-wizard maid` does it.

Opened from the Prerequisites step with the setup and the session's API access (the key
held in memory only). It makes a plan (nothing written), shows its counts and a table of
the changes, writes it after a confirmation with a progress bar, and then checks
`accounts_linked` again on a fresh read of the users; it dismisses with that result (None
when it was not checked), so the step can show it. Leaving while writing stops after the
writes in flight; the journal keeps what was written, and opening the screen again offers
to continue. Everything from JumpCloud and the CSV is shown as text, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Header, Input, ProgressBar, Static

from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.errors import ApiError
from wizard.core.jumpcloud.users import UserLinks, link_report
from wizard.core.linking.org_lock import OrganizationBusy
from wizard.core.linking.plan import WRITTEN, Plan, PlanItem, PlanOptions
from wizard.core.linking.writing import ApiAccess, Finished, LinkingSession
from wizard.core.setups.files import SaveError
from wizard.core.shown import printable
from wizard.tui.safe_text import plain
from wizard.tui.styles import style_for
from wizard.tui.widgets.field import Field
from wizard.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState
    from wizard.tui.app import WizardApp

# The table's order: what will be written first, then what needs the admin's eye.
_ORDER = {
    "set": 0,
    "overwrite": 1,
    "conflict": 2,
    "duplicate": 3,
    "invalid": 4,
    "unmatched": 5,
    "suspended": 6,
}
_STYLE = {"set": "pass", "overwrite": "warn", "suspended": "muted"}
_FAILURES = (ApiError, InvalidInput, OrganizationBusy, SaveError)


class ConfirmWrite(ModalScreen[bool]):
    """Write to JumpCloud? Dismisses with True (write) or False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-write")
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(plain(self.question, "bold"))
            yield Static(
                "Each write is recorded before it is sent: if this stops, Link accounts "
                "continues where it stopped, and `adue-wizard maid undo` puts the old values "
                "back.",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write", id="confirm-write", variant="warning")
                yield Button("Cancel", id="cancel-write", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel-write", Button).focus()  # the choice that changes nothing

    @on(Button.Pressed, "#confirm-write")
    def write(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel-write")
    def action_cancel(self) -> None:
        self.dismiss(False)


class LinkAccountsScreen(Screen[UserLinks | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-link-accounts")
    ]

    @dataclass
    class PlanMade(Message):
        plan: Plan
        note: str = ""

    @dataclass
    class Wrote(Message):
        done: int
        total: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LinkAccountsScreen.Wrote)  # only the latest counts

    @dataclass
    class Applied(Message):
        finished: Finished
        sent: int

    @dataclass
    class Checked(Message):
        links: UserLinks

    @dataclass
    class Said(Message):
        text: str
        problem: bool = False

    def __init__(self, setup: SetupState, access: ApiAccess) -> None:
        super().__init__()
        self.setup = setup
        self.access = access
        self.plan: Plan | None = None
        self.links: UserLinks | None = None
        self.writing = False
        self.written = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Link Managed Apple Accounts", id="step-title", markup=False)
        with Vertical(id="link-body"):
            yield Static(
                "Each JumpCloud user needs their Managed Apple Account. Make a plan (nothing "
                "is written), review it, then apply it.",
                markup=False,
            )
            with Horizontal(classes="row"):
                yield Field(placeholder="(a CSV file: email, managedAppleId)", id="link-csv")
                yield Button("Plan from CSV", id="link-from-csv")
                yield Button("Plan from e-mails", id="link-from-emails")
            with Horizontal(classes="row"):
                yield Checkbox("Replace accounts held", id="link-overwrite")
                yield Checkbox("Include suspended users", id="link-suspended")
            yield Static("", id="link-counts")
            table: DataTable[Text] = DataTable(id="link-changes", cursor_type="row")
            yield table
            yield ProgressBar(id="link-progress", show_eta=False)
            yield Static("", id="link-status")
            yield Static("", id="link-verdict")
            with Horizontal(classes="row"):
                yield Button("Apply", id="link-apply", variant="warning", disabled=True)
                yield Button("Close", id="link-close")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.setup.name
        field = self.query_one("#link-csv", Input)
        field.cursor_blink = getattr(self.app, "blink", True)
        table = self.query_one("#link-changes", DataTable)
        for label, key in (
            ("Action", "action"),
            ("User", "user"),
            ("Now", "before"),
            ("Will be", "after"),
            ("Why", "reason"),
        ):
            table.add_column(label, key=key)
        self.query_one("#link-progress", ProgressBar).display = False
        field.focus()
        self.look_for_unfinished()

    @property
    def folder(self) -> Path:
        return cast("WizardApp", self.app).store.folder

    # -- making the plan ---------------------------------------------------------------

    @work(exclusive=True, group="link", name="looking for an unfinished plan")
    async def look_for_unfinished(self) -> None:
        import asyncio

        from wizard.core.linking.journal import Journal
        from wizard.core.linking.plan import parse_plan

        def read() -> tuple[str, object] | None:
            journal = Journal(self.folder)
            try:
                return journal.unfinished_plan(self.setup.name)
            finally:
                journal.close()

        found = await asyncio.to_thread(read)
        if found is None:
            return
        text, at = found
        try:
            plan = parse_plan(text, "kept in the journal")
        except InvalidInput:
            return
        note = (
            f"Applying the plan of {at:%Y-%m-%d %H:%M} UTC stopped before its end: Apply "
            "continues it (users already written are not written again)."
        )
        self.post_message(self.PlanMade(plan, note))

    @on(Button.Pressed, "#link-from-csv")
    def plan_from_csv(self) -> None:
        path = self.query_one("#link-csv", Input).value.strip()
        if not path:
            self.say("Type the path of the CSV first (or plan from e-mails).", problem=True)
            return
        self.make_plan(Path(path).expanduser())

    @on(Input.Submitted, "#link-csv")
    def csv_submitted(self) -> None:
        self.plan_from_csv()

    @on(Button.Pressed, "#link-from-emails")
    def plan_from_emails(self) -> None:
        self.make_plan(None)

    @work(exclusive=True, group="link", name="making the plan")
    async def make_plan(self, csv: Path | None) -> None:
        import asyncio

        from wizard.core.linking.csv_source import read_accounts_csv
        from wizard.core.linking.making import read_and_plan

        options = PlanOptions(
            overwrite=self.query_one("#link-overwrite", Checkbox).value,
            include_suspended=self.query_one("#link-suspended", Checkbox).value,
        )
        self.post_message(self.Said("Reading JumpCloud's users..."))
        try:
            source = await asyncio.to_thread(read_accounts_csv, csv) if csv else None
            plan = await read_and_plan(
                self.access,
                setup=self.setup.name,
                org_id=self.setup.org_id,
                domains=self.setup.domains,
                source=source,
                source_name=str(csv) if csv else None,
                options=options,
            )
        except _FAILURES as error:
            self.post_message(self.Said(str(error), problem=True))
            return
        self.post_message(self.PlanMade(plan))

    @on(PlanMade)
    def show_plan(self, message: PlanMade) -> None:
        plan = message.plan
        self.plan = plan
        counts = [
            Content.styled(f"{count} {action}", style_for(_STYLE.get(action, "muted")))
            if action in _STYLE
            else Content(f"{count} {action}")
            for action, count in plan.counts.items()
            if count
        ]
        self.query_one("#link-counts", Static).update(
            Content.assemble("Plan: ", Content(", ").join(counts) or "no user")
        )
        table = self.query_one("#link-changes", DataTable)
        table.clear()
        shown = sorted(
            (item for item in plan.items if item.action != "unchanged"),
            key=lambda item: _ORDER[item.action],
        )
        for number, item in enumerate(shown):
            table.add_row(*_row(item), key=f"{number}")
        writes = len(plan.writable())
        self.query_one("#link-apply", Button).disabled = writes == 0
        ready = f"{writes} to write: Apply writes them to JumpCloud." if writes else ""
        self.say(message.note or ready or "Nothing to write: every user is as planned.")

    # -- applying it -------------------------------------------------------------------

    @on(Button.Pressed, "#link-apply")
    def apply(self) -> None:
        if self.plan is not None and not self.writing:
            self.write_plan(self.plan)

    @work(exclusive=True, group="link", name="writing to JumpCloud")
    async def write_plan(self, plan: Plan) -> None:
        self.writing = True
        self.written = 0
        try:
            async with LinkingSession(plan, self.access, self.folder) as session:
                self.post_message(self.Said("Reading every user again before writing..."))
                prepared = await session.prepare_apply()
                sent = len(prepared.writes)
                if sent:
                    name = session.organization_name
                    where = f"JumpCloud organization {plan.org_id}" + (f" ({name})" if name else "")
                    accounts = f"{sent} Managed Apple Account{'s' if sent != 1 else ''}"
                    question = f"Write {accounts} to {where}?"
                    if not await self.app.push_screen_wait(ConfirmWrite(question)):
                        self.post_message(self.Said("Nothing was written."))
                        return

                def progress(done: int, total: int) -> None:
                    self.written = done
                    self.post_message(self.Wrote(done, total))

                finished = await session.write(prepared, progress)
                self.post_message(self.Applied(finished, sent))
                users = await session.client.users()
        except _FAILURES as error:
            self.post_message(self.Said(str(error), problem=True))
            return
        finally:
            self.writing = False
        self.post_message(self.Checked(link_report(users, self.setup.domains)))

    @on(Wrote)
    def wrote(self, message: Wrote) -> None:
        bar = self.query_one("#link-progress", ProgressBar)
        bar.display = True
        bar.update(total=message.total, progress=message.done)
        self.query_one("#link-status", Static).update(
            f"Writing: {message.done} of {message.total}..."
        )

    @on(Applied)
    def applied(self, message: Applied) -> None:
        finished = message.finished
        written = finished.count("written")
        done = finished.count("already_done")
        left = finished.not_good()
        parts = [f"{written} written"]
        if done:
            parts.append(f"{done} already done")
        if left:
            parts.append(f"{len(left)} not written")
        line = ", ".join(parts) + "."
        if left:
            first = left[0]
            line += f" First: {first.email or first.user_id}: {first.detail}"
        if finished.stopped:
            line += f" Stopped: {finished.stopped}."
        self.say(line, problem=bool(left))
        self.query_one("#link-apply", Button).disabled = not left
        verdict = self.query_one("#link-verdict", Static)
        verdict.update("Checking accounts_linked on a fresh read of the users...")
        verdict.add_class("shown")

    @on(Checked)
    def checked(self, message: Checked) -> None:
        self.links = message.links
        counts = message.links.counts()
        status = message.links.status()
        verdict = Content.styled(f"accounts_linked: {status}", style_for(status))
        summary = (
            f"  {counts['linked']} of {counts['active']} active users linked; "
            f"{counts['unlinked']} without an account, {counts['outside_domains']} outside the "
            f"domains, {counts['duplicates']} sharing one, {counts['invalid']} not an address."
        )
        self.query_one("#link-verdict", Static).update(Content.assemble(verdict, summary))

    # -- leaving -----------------------------------------------------------------------

    @on(Button.Pressed, "#link-close")
    def action_close(self) -> None:
        if self.writing:
            self.workers.cancel_group(self, "link")
            self.app.notify(
                f"Stopped after {self.written} written. Open Link accounts again to continue: "
                "what was written is recorded.",
                timeout=10,
                markup=False,
            )
        self.dismiss(self.links)

    def say(self, text: str, *, problem: bool = False) -> None:
        style = style_for("fail") if problem else ""
        self.query_one("#link-status", Static).update(plain(text, style))

    @on(Said)
    def said(self, message: Said) -> None:
        self.say(message.text, problem=message.problem)


def _row(item: PlanItem) -> tuple[Text, ...]:
    """Rich Text cells (never markup): the table measures them to size its columns."""
    style = style_for(_STYLE[item.action]) if item.action in _STYLE else ""
    user = item.email or item.user_id or (f"line {item.line}" if item.line else "")
    before = item.before or ("" if item.user_id is None else "none")
    after = item.after if item.action in WRITTEN or item.action == "conflict" else ""
    return (
        Text(item.action, style=style),
        Text(printable(user)),
        Text(printable(before)),
        Text(printable(after or "")),
        Text(printable(item.reason or "")),
    )
