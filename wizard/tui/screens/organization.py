"""Step 1: the MDM, that MDM's own inputs (each checked as typed, with where to find it),
and the domains users sign in with."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, RadioSet, Select, Static

from wizard.core.artifacts import jumpcloud_target
from wizard.core.document import base_url_problem
from wizard.core.domains import (
    ORG_ID_WHERE,
    display_domain,
    is_valid_org_id,
    org_id_problem,
    parse_domain_list,
)
from wizard.core.providers.answers import (
    Answers,
    built_base_url,
    built_target,
    input_problem,
    tenant_problem,
)
from wizard.core.providers.presets import (
    FLEET_URL_WHERE,
    IVANTI_URL_WHERE,
    JAMF_URL_WHERE,
    PRESETS,
    TENANT_WHERE,
)
from wizard.tui.screens.step import StepScreen
from wizard.tui.widgets.tick_box import Choice

# Short labels: the choices sit in a grid of four that fits 80 columns.
LABELS = {
    "jumpcloud": "JumpCloud",
    "intune": "Intune",
    "jamf": "Jamf Pro",
    "fleet": "Fleet",
    "manageengine": "ManageEngine",
    "ivanti": "Ivanti",
    "generic": "Generic MDM",
}
SERVER_URL_LABELS = {
    "jamf": f"Jamf Pro URL (https://...; {JAMF_URL_WHERE}):",
    "fleet": f"Fleet server URL (https://...; find it in {FLEET_URL_WHERE}):",
    "ivanti": f"Ivanti Neurons for MDM cluster URL (https://...; {IVANTI_URL_WHERE}):",
}
CLOUDS = [
    ("Public (manage.microsoft.com)", "public"),
    ("US Government (manage.microsoft.us)", "usgov"),
    ("21Vianet China (manage.microsoft.cn)", "china"),
]
ENROLLMENTS = [
    ("User enrollment (mdm-byod)", "user"),
    ("Device enrollment (mdm-adde; unconfirmed by Jamf)", "device"),
]
# Which group of fields each preset shows.
FIELDS = {
    "jumpcloud": "jumpcloud-fields",
    "intune": "intune-fields",
    "jamf": "server-fields",
    "fleet": "server-fields",
    "ivanti": "server-fields",
    "manageengine": "manageengine-fields",
    "generic": "generic-fields",
}


def preset_notes(name: str) -> str:
    """The preset's known traps and unconfirmed facts, said before they bite."""
    preset = PRESETS[name]
    lines = [f"Note: {trap}" for trap in preset.traps]
    lines += [f"Unconfirmed: {fact}" for fact in preset.unconfirmed]
    return "\n".join(lines)


class OrganizationScreen(StepScreen):
    STEP = "organization"

    def body(self) -> ComposeResult:
        setup = self.setup
        yield Static("Which MDM will devices enroll into?", classes="question")
        with RadioSet(id="provider"):
            for name in PRESETS:
                yield Choice(LABELS[name], value=setup.provider == name, id=name)
        with Vertical(id="jumpcloud-fields", classes="fields"):
            yield Static(
                f"JumpCloud organization ID (24 lowercase hex characters; find it {ORG_ID_WHERE}):"
            )
            yield Input(setup.org_id or "", placeholder="24 lowercase hex characters", id="org-id")
            yield Static("", id="org-id-state", markup=False)
        with Vertical(id="intune-fields", classes="fields"):
            yield Static(f"Microsoft Entra tenant ID (a GUID; find it in the {TENANT_WHERE}):")
            yield Input(
                setup.tenant_id or "",
                placeholder="00000000-0000-0000-0000-000000000000",
                id="tenant-id",
            )
            yield Static("", id="tenant-id-state", markup=False)
            yield Select(CLOUDS, value=setup.cloud, allow_blank=False, id="cloud")
        with Vertical(id="server-fields", classes="fields"):
            yield Static("", id="server-url-label", markup=False)
            yield Input(setup.server_url or "", placeholder="https://", id="server-url")
            yield Static("", id="server-url-state", markup=False)
            yield Select(ENROLLMENTS, value=setup.enrollment, allow_blank=False, id="enrollment")
        with Vertical(id="manageengine-fields", classes="fields"):
            yield Static(
                "ManageEngine MDM Plus: download the discovery JSON from its console; you "
                "import that file on the Platform step, and it is published byte for byte."
            )
        with Vertical(id="generic-fields", classes="fields"):
            yield Static("Your MDM's service-discovery URL (for Redirect):")
            yield Input(setup.generic_target or "", placeholder="https://", id="generic-target")
            yield Static("Your MDM's enrollment BaseURL (for Self-Host):")
            yield Input(setup.generic_base_url or "", placeholder="https://", id="generic-base")
        yield Static("", id="preset-notes", classes="explanation", markup=False)
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
        self._check_tenant(self.query_one("#tenant-id", Input).value)
        self._check_server_url(self.query_one("#server-url", Input).value)
        self._check_domains(self.query_one("#domains", Input).value)

    @on(RadioSet.Changed, "#provider")
    def provider_changed(self, event: RadioSet.Changed) -> None:
        name = event.pressed.id or "jumpcloud"
        self.setup.provider = name  # type: ignore[assignment]
        preset = PRESETS[name]
        # Every later step follows the preset: a method it does not allow is not kept.
        if len(preset.methods) == 1:
            self.setup.method = preset.methods[0]
        elif self.setup.method not in preset.methods:
            self.setup.method = None
        if self.setup.enrollment not in preset.enrollments:
            self.setup.enrollment = "user"
        self._show_provider_fields()
        self._check_server_url(self.query_one("#server-url", Input).value)
        self.changed()

    def _show_provider_fields(self) -> None:
        name = self.setup.provider
        for group in set(FIELDS.values()):
            self.query_one(f"#{group}").display = FIELDS[name] == group
        self.query_one("#enrollment").display = name == "jamf"
        if name in SERVER_URL_LABELS:
            self.query_one("#server-url-label", Static).update(SERVER_URL_LABELS[name])
        self.query_one("#preset-notes", Static).update(preset_notes(name))

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

    @on(Input.Changed, "#tenant-id")
    def tenant_typed(self, event: Input.Changed) -> None:
        if self._check_tenant(event.value):
            self.setup.tenant_id = event.value.strip()
            self.changed()

    def _check_tenant(self, value: str) -> bool:
        state = self.query_one("#tenant-id-state", Static)
        if not value.strip():
            state.update("")
            return False
        problem = tenant_problem(value)
        if problem is None:
            url = built_base_url(
                PRESETS["intune"], Answers(tenant_id=value, cloud=self.setup.cloud)
            )
            state.update(f"OK. BaseURL: {url}")
            return True
        state.update(f"Not a tenant ID yet: {problem}.")
        return False

    @on(Select.Changed, "#cloud")
    def cloud_changed(self, event: Select.Changed) -> None:
        if event.value in ("public", "usgov", "china"):
            self.setup.cloud = event.value
            self._check_tenant(self.query_one("#tenant-id", Input).value)
            self.changed()

    @on(Select.Changed, "#enrollment")
    def enrollment_changed(self, event: Select.Changed) -> None:
        if event.value in ("user", "device"):
            self.setup.enrollment = event.value
            self._check_server_url(self.query_one("#server-url", Input).value)
            self.changed()

    @on(Input.Changed, "#server-url")
    def server_url_typed(self, event: Input.Changed) -> None:
        if self._check_server_url(event.value):
            self.setup.server_url = event.value.strip()
            self.changed()

    def _check_server_url(self, value: str) -> bool:
        state = self.query_one("#server-url-state", Static)
        preset = PRESETS[self.setup.provider]
        if not value.strip() or preset.name not in SERVER_URL_LABELS:
            state.update("")
            return False
        problem = input_problem(preset, "--server-url", value)
        if problem is not None:
            state.update(f"Not a server URL yet: {problem}.")
            return False
        answers = Answers(server_url=value.strip(), enrollment=self.setup.enrollment)
        if preset.methods == ("redirect",):
            state.update(f"OK. Redirect target: {built_target(preset, answers)}")
        else:
            state.update(f"OK. BaseURL: {built_base_url(preset, answers)}")
        return True

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
        problem = self._preset_problem()
        if problem:
            self.problem(problem)
            return False
        setup.domains = domains
        self.problem("")
        return True

    def _preset_problem(self) -> str | None:
        """What the chosen MDM still needs on this step, or None."""
        setup = self.setup
        if setup.provider == "jumpcloud":
            org_id = self.query_one("#org-id", Input).value.strip()
            if not is_valid_org_id(org_id):
                return f"The JumpCloud organization ID: {org_id_problem(org_id)}."
            setup.org_id = org_id
        elif setup.provider == "intune":
            tenant = self.query_one("#tenant-id", Input).value.strip()
            if problem := tenant_problem(tenant):
                return f"The tenant ID: {problem}."
            setup.tenant_id = tenant
        elif setup.provider in SERVER_URL_LABELS:
            url = self.query_one("#server-url", Input).value.strip()
            problem = input_problem(PRESETS[setup.provider], "--server-url", url)
            if problem:
                return f"The server URL: {problem}."
            setup.server_url = url
        elif setup.provider == "generic":
            for label, given in (
                ("discovery URL", setup.generic_target),
                ("BaseURL", setup.generic_base_url),
            ):
                if given and base_url_problem(given):
                    return f"The {label} must be an absolute https:// URL."
            if not (setup.generic_target or setup.generic_base_url):
                return "Enter your MDM's discovery URL or its BaseURL."
        return None
