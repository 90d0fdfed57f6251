"""Connect to JumpCloud: the admin's API key (in a password field, held in memory for this
session only, never saved), the region, and, when the key manages several organizations
and the setup names none, which one. Dismissed with the connection, or None."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from wizard.core.jumpcloud.regions import REGIONS
from wizard.core.jumpcloud.secret import KEY_VARIABLE
from wizard.tui.safe_text import plain
from wizard.tui.widgets.field import Field

if TYPE_CHECKING:
    from wizard.core.jumpcloud.access import JumpCloudAccess
    from wizard.core.jumpcloud.errors import Organization

REGION_CHOICES = [("United States (console.jumpcloud.com)", "us"),
                  ("Europe (console.eu.jumpcloud.com)", "eu"),
                  ("India (console.in.jumpcloud.com)", "in")]  # fmt: skip
# JumpCloud's work for one connection (learning the organizations): bounded, like prereqs.
CONNECT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Connected:
    """A key JumpCloud accepted, and the organization it acts on for this setup."""

    access: JumpCloudAccess
    org_id: str
    org_name: str
    region: str


class JumpCloudConnect(ModalScreen["Connected | None"]):
    """Asks for the key and connects in a worker; says in one line what JumpCloud refused."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    @dataclass
    class Failed(Message):
        line: str

    @dataclass
    class Choose(Message):
        organizations: tuple[Organization, ...]

    def __init__(self, org_id: str | None, region: str, api_url: str | None) -> None:
        super().__init__()
        self.org_id = org_id
        self.api_region = region
        self.api_url = api_url
        self.access: JumpCloudAccess | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Connect to JumpCloud", classes="dialog-title")
            yield Static(
                "An administrator's API key (Admin Portal > your name, top right > My API "
                "Key). It stays in memory while the wizard runs and is never saved; the "
                "wizard only reads with it.",
                markup=False,
            )
            # From the environment when the admin started the wizard with it set.
            yield Field(
                os.environ.get(KEY_VARIABLE, ""),
                placeholder="(the API key; not shown)",
                password=True,
                id="api-key",
            )
            if self.api_url:
                yield Static(plain(f"API: {self.api_url}"), id="api-where")
            else:
                yield Select(REGION_CHOICES, value=self.api_region, allow_blank=False, id="region")
            yield Static("", id="connect-problem", markup=False)
            yield OptionList(id="organizations")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#organizations", OptionList).display = False
        field = self.query_one("#api-key", Input)
        field.cursor_blink = getattr(self.app, "blink", True)
        field.focus()

    @on(Input.Submitted, "#api-key")
    @on(Button.Pressed, "#connect")
    def submit(self) -> None:
        from wizard.core.domains import InvalidInput
        from wizard.core.jumpcloud.access import JumpCloudAccess
        from wizard.core.jumpcloud.regions import api_base
        from wizard.core.jumpcloud.secret import ApiKey

        typed = self.query_one("#api-key", Input).value.strip()
        if not typed:
            self.show_problem("Enter the API key first.")
            return
        try:
            key = ApiKey(typed)
            base = api_base(self._region(), self.api_url, {})
        except ValueError:
            self.show_problem("That is not an API key: it has spaces or other characters in it.")
            return
        except InvalidInput as error:
            self.show_problem(str(error))
            return
        self.access = JumpCloudAccess(base, key, CONNECT_TIMEOUT)
        self.show_problem("Connecting...")
        self.connect(self.access, self.org_id)

    def _region(self) -> str:
        if self.api_url:
            return self.api_region
        value = self.query_one("#region", Select).value
        return str(value) if value in REGIONS else self.api_region

    @work(exclusive=True, name="connecting to JumpCloud")
    async def connect(self, access: JumpCloudAccess, org_id: str | None) -> None:
        from wizard.core.jumpcloud.errors import ApiError, OrgNotChosen

        try:
            async with access.client() as client:
                connection = await client.connect(org_id)
        except OrgNotChosen as error:
            self.post_message(self.Choose(error.organizations))
            return
        except ApiError as error:
            self.post_message(self.Failed(str(error)))
            return
        chosen = connection.organization
        self.dismiss(Connected(access, chosen.id, chosen.name, self._region()))

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.show_problem(message.line)

    @on(Choose)
    def choose(self, message: Choose) -> None:
        self.show_problem("This key manages several organizations: choose this setup's.")
        listing = self.query_one("#organizations", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(plain(f"{org.name}  {org.id}"), id=org.id) for org in message.organizations
        )
        listing.display = True
        listing.focus()

    @on(OptionList.OptionSelected, "#organizations")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if self.access is not None and event.option.id is not None:
            self.show_problem("Connecting...")
            self.connect(self.access, event.option.id)

    def show_problem(self, line: str) -> None:
        self.query_one("#connect-problem", Static).update(plain(line))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
