"""The verifier's settings, as a dialog: --connect-to, --resolve, CA bundle, User-Agent, timeout,
user, model family. Every saved setting has a field: one without would be lost at Save."""

from __future__ import annotations

import os
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.core.domains import InvalidInput
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.setups.state import VerifySettings
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.resolve import parse_resolve
from wizard.core.verify.transport import DEVICE_USER_AGENT, user_agent_problem
from wizard.tui.widgets.field import Field


def read_settings(
    fields: dict[str, str], offered: tuple[str, ...] = MODEL_FAMILIES
) -> VerifySettings:
    """Settings from the dialog's text fields; raises InvalidInput with a one-line reason."""
    connect_to = [spec.strip() for spec in fields["connect_to"].split(",") if spec.strip()]
    for spec in connect_to:
        parse_connect_to(spec)
    # A rule's addresses are separated by commas (curl's form), so rules by spaces.
    resolve = fields["resolve"].split()
    for spec in resolve:
        parse_resolve(spec)
    user_agent = fields["user_agent"].strip() or None  # empty: the device's own
    problem = user_agent_problem(user_agent) if user_agent else None
    if problem:
        raise InvalidInput(f"User-Agent {problem}")
    ca_bundle = fields["ca_bundle"].strip() or None
    if ca_bundle and not os.path.isfile(os.path.expanduser(ca_bundle)):
        raise InvalidInput(f"CA bundle: no file at {ca_bundle}")
    try:
        timeout = float(fields["timeout"])
    except ValueError:
        raise InvalidInput("Timeout must be a number of seconds") from None
    if not 0 < timeout <= 300:
        raise InvalidInput("Timeout must be between 0 and 300 seconds")
    families = [name.strip() for name in fields["model_family"].split(",") if name.strip()]
    known = {family.lower(): family for family in offered}
    unknown = [name for name in families if name.lower() not in known]
    if unknown or not families:
        raise InvalidInput(f"Model family must be among {', '.join(offered)}")
    user = fields["user"].strip() or None
    if user and any(ch.isspace() for ch in user):
        raise InvalidInput("User identifier cannot contain spaces")
    return VerifySettings(
        connect_to=connect_to,
        resolve=resolve,
        ca_bundle=os.path.expanduser(ca_bundle) if ca_bundle else None,
        user_agent=user_agent,
        timeout=timeout,
        user=user,
        model_family=",".join(known[name.lower()] for name in families),
    )


class VerifySettingsDialog(ModalScreen[VerifySettings | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self, settings: VerifySettings, families: tuple[str, ...] = MODEL_FAMILIES
    ) -> None:
        super().__init__()
        self.settings = settings
        # The model families the setup's MDM supports: only those are offered.
        self.families = families

    def compose(self) -> ComposeResult:
        settings = self.settings
        with VerticalScroll(id="dialog"):
            yield Static("Verification settings", classes="dialog-title")
            yield Static("Connect to (HOST1:PORT1:HOST2:PORT2, comma separated; test before DNS):")
            yield Field(
                ", ".join(settings.connect_to),
                id="connect_to",
                placeholder="example.com:443:203.0.113.5:443",
            )
            yield Static(  # [...] is text here, not markup
                "Resolve (HOST:PORT:ADDR[,ADDR...], space separated; instead of DNS):",
                markup=False,
            )
            yield Field(
                " ".join(settings.resolve),
                id="resolve",
                placeholder="example.com:443:192.0.2.10,2001:db8::5",
            )
            yield Static("CA bundle (PEM file; empty = public roots):")
            yield Input(settings.ca_bundle or "", id="ca_bundle")
            yield Static(f"User-Agent sent (empty = the device's, {DEVICE_USER_AGENT}):")
            yield Input(settings.user_agent or "", id="user_agent")
            yield Static("Timeout per domain, seconds:")
            yield Input(f"{settings.timeout:g}", id="timeout")
            yield Static("User identifier sent (empty = probe@domain):")
            yield Input(settings.user or "", id="user")
            yield Static(f"Model families ({', '.join(self.families)}):")
            yield Input(settings.model_family, id="model_family")
            yield Static("", id="settings-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "blink", True)
        self.query_one("#connect_to", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        fields = {field.id or "": field.value for field in self.query(Input)}
        try:
            settings = read_settings(fields, self.families)
        except InvalidInput as error:
            self.query_one("#settings-problem", Static).update(str(error))
            return
        self.dismiss(settings)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
