"""Step 1: the MDM, that MDM's own inputs (each checked as typed, with where to find it),
and the domains users sign in with. The fields are the presets' `wizard_inputs`: one field
per kind of input (a server URL typed for one MDM stays for another), the chosen MDM's shown,
labelled in its words."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, RadioSet, Select, Static

from wizard.core.domains import display_domain, parse_domain_list
from wizard.core.providers import LABELS, PRESETS
from wizard.core.providers.preset import Input as PresetInput
from wizard.core.providers.preset import InputName, Preset
from wizard.core.setups.state import SAVED_AS
from wizard.tui.screens.step import StepScreen
from wizard.tui.widgets.field import Field
from wizard.tui.widgets.tick_box import Choice

# Every kind of input some preset asks for on this step, in the order they are shown.
FIELDS: dict[InputName, PresetInput] = {
    item.name: item for preset in PRESETS.values() for item in preset.wizard_inputs
}


def preset_notes(preset: Preset) -> str:
    """The preset's known traps and unconfirmed facts, said before they bite."""
    lines = [f"Note: {trap}" for trap in preset.traps]
    lines += [f"Unconfirmed: {fact}" for fact in preset.unconfirmed]
    return "\n".join(lines)


class OrganizationScreen(StepScreen):
    STEP = "organization"

    def body(self) -> ComposeResult:
        setup = self.setup
        yield Static("Which MDM will devices enroll into?", classes="question")
        with RadioSet(id="provider"):
            for name, label in LABELS.items():
                yield Choice(label, value=setup.provider == name, id=name)
        yield Static("", id="preset-note", markup=False)
        for name, item in FIELDS.items():
            # As saved, whichever MDM it was typed for.
            value = getattr(setup, SAVED_AS[name])
            with Vertical(id=f"field-{name}", classes="fields"):
                if item.choices:
                    yield Select(item.choices, value=value or item.choices[0][1],
                                 allow_blank=False, id=name)  # fmt: skip
                    continue
                yield Static("", id=f"{name}-label", markup=False)
                yield Field(value or "", placeholder=item.placeholder, id=name)
                yield Static("", id=f"{name}-state", markup=False)
                if name == "org-id":
                    # JumpCloud's organization ID, read from the admin's API key instead.
                    yield Button("Take it from an API key", id="org-from-key")
        yield Static("", id="preset-notes", classes="explanation", markup=False)
        yield Static(
            "Domains users sign in with (the part after @). Paste e-mails or URLs; "
            "separate several with commas:",
            classes="question",
        )
        shown = ", ".join(display_domain(domain) for domain in setup.domains)
        yield Field(shown, placeholder="example.com, shop.example.com", id="domains")
        yield Static("", id="domains-state", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_preset()
        self._check_domains(self.query_one("#domains", Input).value)

    # -- the MDM ---------------------------------------------------------------------------

    @on(RadioSet.Changed, "#provider")
    def provider_changed(self, event: RadioSet.Changed) -> None:
        self.setup.provider = event.pressed.id or "jumpcloud"
        preset = self.setup.preset
        # Every later step follows the preset: a method it does not allow is not kept.
        if len(preset.methods) == 1:
            self.setup.method = preset.methods[0]
        elif self.setup.method not in preset.methods:
            self.setup.method = None
        if self.setup.enrollment not in preset.enrollments:
            self.setup.enrollment = "user"
            self.query_one("#enrollment", Select).value = "user"
        self._show_preset()
        self.changed()

    def _inputs(self) -> dict[InputName, PresetInput]:
        """The chosen preset's inputs on this step, by name."""
        return {item.name: item for item in self.setup.preset.wizard_inputs}

    def _show_preset(self) -> None:
        preset = self.setup.preset
        asked = self._inputs()
        for name in FIELDS:
            self.query_one(f"#field-{name}").display = name in asked
        for name, item in asked.items():
            if not item.choices:
                self.query_one(f"#{name}-label", Static).update(item.label)
                self.query_one(f"#{name}", Input).placeholder = item.placeholder
                self._check(item, self.query_one(f"#{name}", Input).value)
        note = self.query_one("#preset-note", Static)
        note.update(preset.wizard_note)
        note.display = bool(preset.wizard_note)
        self.query_one("#preset-notes", Static).update(preset_notes(preset))

    # -- its inputs ------------------------------------------------------------------------

    @on(Button.Pressed, "#org-from-key")
    def org_from_key(self) -> None:
        """Connect with the admin's key (its own organization, or one they choose among
        those an MSP key manages) and fill in the organization ID."""
        from wizard.tui.messages import JumpCloudConnected
        from wizard.tui.screens.jumpcloud_connect import Connected, JumpCloudConnect

        def connected(result: Connected | None) -> None:
            if result is None:
                return
            self.jumpcloud = result
            self.post_message(JumpCloudConnected(result))
            self.query_one("#org-id", Input).value = result.org_id

        dialog = JumpCloudConnect(None, self.setup.jumpcloud_region, self.setup.jumpcloud_api_url)
        self.app.push_screen(dialog, connected)

    @on(Input.Changed, ".fields Input")
    def input_typed(self, event: Input.Changed) -> None:
        item = next((i for i in self._inputs().values() if i.name == event.input.id), None)
        if item is None:
            return
        if not item.checked:  # kept as typed; checked when the admin goes on
            self.setup.set_answer(item.name, event.value.strip() or None)
            self.changed()
        elif self._check(item, event.value):
            self.setup.set_answer(item.name, self.setup.preset.normalised(item.name, event.value))
            self.changed()

    @on(Select.Changed, ".fields Select")
    def choice_changed(self, event: Select.Changed) -> None:
        item = next((i for i in FIELDS.values() if i.name == event.select.id), None)
        if item is None or event.value not in {value for _, value in item.choices}:
            return
        self.setup.set_answer(item.name, str(event.value))
        self._show_preset()  # what the other inputs build may change (the cloud's host)
        self.changed()

    def _check(self, item: PresetInput, value: str) -> bool:
        """Say whether `value` is right for the input as typed, and what it builds."""
        state = self.query_one(f"#{item.name}-state", Static)
        if not item.checked or not value.strip():
            state.update("")
            return False
        preset = self.setup.preset
        # An ID in upper case or a GUID in braces is taken as the value it clearly is.
        written = preset.normalised(item.name, value)
        problem = preset.input_problem(item.name, written)
        if problem is not None:
            state.update(f"{item.not_yet}: {problem}.")
            return False
        built = preset.built(self.setup.answers().with_value(item.name, written))
        taken = f" Taken as {written}." if written != value.strip() else ""
        state.update(f"OK.{taken} {built}" if built else f"OK.{taken}")
        return True

    # -- the domains -----------------------------------------------------------------------

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

    def leave(self) -> bool:
        domains, problems, _ = parse_domain_list(self.query_one("#domains", Input).value)
        if problems or not domains:
            self.problem(problems[0] if problems else "Enter at least one domain.")
            return False
        # What the fields hold now, not only what was kept while typing.
        typed = [name for name, item in self._inputs().items() if not item.choices]
        answers = self.setup.answers()
        for name in typed:
            value = self.query_one(f"#{name}", Input).value.strip()
            answers = answers.with_value(name, value or None)
        problem = self.setup.preset.complete(answers)
        if problem:
            self.problem(problem)
            return False
        for name in typed:
            self.setup.set_answer(name, answers.value(name))
        self.setup.domains = domains
        self.problem("")
        return True
