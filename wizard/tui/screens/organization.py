"""Step 1: the MDM provider, the organization ID, and the domains users sign in with."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, RadioSet, Static

from wizard.core.artifacts import jumpcloud_target
from wizard.core.document import base_url_problem
from wizard.core.domains import (
    ORG_ID_WHERE,
    display_domain,
    is_valid_org_id,
    org_id_problem,
    parse_domain_list,
)
from wizard.tui.screens.step import StepScreen
from wizard.tui.widgets.tick_box import Choice


class OrganizationScreen(StepScreen):
    STEP = "organization"

    def body(self) -> ComposeResult:
        setup = self.setup
        yield Static("Which MDM will devices enroll into?", classes="question")
        with RadioSet(id="provider"):
            yield Choice("JumpCloud", value=setup.provider == "jumpcloud", id="jumpcloud")
            yield Choice("Generic MDM", value=setup.provider == "generic", id="generic")
        with Vertical(id="jumpcloud-fields", classes="fields"):
            yield Static(
                f"JumpCloud organization ID (24 lowercase hex characters; find it {ORG_ID_WHERE}):"
            )
            yield Input(setup.org_id or "", placeholder="24 lowercase hex characters", id="org-id")
            yield Static("", id="org-id-state", markup=False)
        with Vertical(id="generic-fields", classes="fields"):
            yield Static("Your MDM's service-discovery URL (for Redirect):")
            yield Input(setup.generic_target or "", placeholder="https://", id="generic-target")
            yield Static("Your MDM's enrollment BaseURL (for Self-Host):")
            yield Input(setup.generic_base_url or "", placeholder="https://", id="generic-base")
        yield Static(
            "Domains users sign in with (the part after @). Paste e-mails or URLs; "
            "separate several with commas:",
            classes="question",
        )
        shown = ", ".join(display_domain(domain) for domain in setup.domains)
        yield Input(shown, placeholder="example.com", id="domains")
        yield Static("", id="domains-state", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_provider_fields()
        self._check_org_id(self.query_one("#org-id", Input).value)
        self._check_domains(self.query_one("#domains", Input).value)

    @on(RadioSet.Changed, "#provider")
    def provider_changed(self, event: RadioSet.Changed) -> None:
        self.setup.provider = "generic" if event.pressed.id == "generic" else "jumpcloud"
        self._show_provider_fields()
        self.changed()

    def _show_provider_fields(self) -> None:
        jumpcloud = self.setup.provider == "jumpcloud"
        self.query_one("#jumpcloud-fields").display = jumpcloud
        self.query_one("#generic-fields").display = not jumpcloud

    @on(Input.Changed, "#org-id")
    def org_id_typed(self, event: Input.Changed) -> None:
        if self._check_org_id(event.value):
            self.setup.org_id = event.value.strip()
            self.changed()

    def _check_org_id(self, value: str) -> bool:
        state = self.query_one("#org-id-state", Static)
        if not value.strip():
            state.update("")
            return False
        problem = org_id_problem(value)
        if problem is None:
            state.update(f"OK. Redirect target: {jumpcloud_target(value.strip())}")
            return True
        state.update(f"Not an organization ID yet: {problem}.")
        return False

    @on(Input.Changed, "#domains")
    def domains_typed(self, event: Input.Changed) -> None:
        domains, problems = self._check_domains(event.value)
        if domains and not problems:
            self.setup.domains = domains
            self.problem("")  # an "Enter at least one domain" from before is stale now
            self.changed()

    def _check_domains(self, value: str) -> tuple[list[str], list[str]]:
        domains, problems, notes = parse_domain_list(value)
        state = self.query_one("#domains-state", Static)
        if problems:
            state.update(problems[0])
        elif domains:
            checked = ", ".join(display_domain(domain) for domain in domains)
            state.update("\n".join([f"Will check: {checked}", *notes]))
        else:
            state.update("")
        return domains, problems

    @on(Input.Changed, "#generic-target, #generic-base")
    def generic_typed(self) -> None:
        self.setup.generic_target = self.query_one("#generic-target", Input).value.strip() or None
        self.setup.generic_base_url = self.query_one("#generic-base", Input).value.strip() or None
        self.changed()

    def leave(self) -> bool:
        setup = self.setup
        domains, problems, _ = parse_domain_list(self.query_one("#domains", Input).value)
        if problems or not domains:
            self.problem(problems[0] if problems else "Enter at least one domain.")
            return False
        org_id = self.query_one("#org-id", Input).value.strip()
        if setup.provider == "jumpcloud":
            if not is_valid_org_id(org_id):
                problem = org_id_problem(org_id)
                self.problem(f"The JumpCloud organization ID: {problem}.")
                return False
            setup.org_id = org_id
        if setup.provider == "generic":
            for label, url in (
                ("discovery URL", setup.generic_target),
                ("BaseURL", setup.generic_base_url),
            ):
                if url and base_url_problem(url):
                    self.problem(f"The {label} must be an absolute https:// URL.")
                    return False
            if not (setup.generic_target or setup.generic_base_url):
                self.problem("Enter your MDM's discovery URL or its BaseURL.")
                return False
        setup.domains = domains
        self.problem("")
        return True
