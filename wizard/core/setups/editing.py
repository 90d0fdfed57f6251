"""Setups made and changed without the wizard (`setup add`, `setup edit`, `setup import`),
held to the wizard's own rules: the domains as the Organization step reads them, the MDM's
inputs as it checks them, the method the MDM and the platform allow (the Method step), and
the test settings as the verification settings are checked. A setup made here opens in the
wizard at the step its answers reach, and `verify --setup` checks it like any other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from wizard.core.domains import InvalidInput, display_domain, parse_domain_list
from wizard.core.protocol import METHODS
from wizard.core.providers import preset_named
from wizard.core.providers.preset import InputName
from wizard.core.setups.files import check_setup_name
from wizard.core.setups.state import SetupState
from wizard.core.shown import argument

# The MDM a setup gets when nothing names one: the wizard keeps a Troubleshoot check the
# same way, judged against the protocol alone until an MDM is chosen.
NO_MDM = "generic"


@dataclass(frozen=True)
class SetupChange:
    """What a command gives for a setup; None (or empty) where it gives nothing."""

    # The domains as typed (domains, e-mails or URLs): `domains` replaces the list.
    domains: tuple[str, ...] | None = None
    add_domains: tuple[str, ...] = ()
    remove_domains: tuple[str, ...] = ()
    # A preset's name, and its inputs as checked by the command line (`json-file` holds the
    # document's text, read from `document_path`).
    mdm: str | None = None
    inputs: Mapping[InputName, str] = field(default_factory=dict)
    document_path: str | None = None
    method: str | None = None
    platform: str | None = None
    # The test settings; an empty tuple (or "" for the CA bundle) clears one.
    connect_to: tuple[str, ...] | None = None
    resolve: tuple[str, ...] | None = None
    ca_bundle: str | None = None

    @property
    def names_mdm(self) -> bool:
        """Whether the change is about the MDM: then its inputs must be complete, as the
        wizard's Organization step requires before it goes on."""
        return self.mdm is not None or bool(self.inputs)


def new_setup(name: str, change: SetupChange) -> tuple[SetupState, list[str]]:
    """A new setup named `name` with what `change` gives, checked as the wizard checks it,
    and the notes to show (a www. domain); raises InvalidInput in one line."""
    if change.domains is None:
        raise InvalidInput("a setup needs at least one domain (--domain D)")
    state = SetupState(name=check_setup_name(name), provider=change.mdm or NO_MDM)
    notes = apply_change(state, change)
    return state, notes


def apply_change(state: SetupState, change: SetupChange) -> list[str]:
    """Change `state` as `change` says (the fields it gives, nothing else), then check the
    whole setup as the wizard would; raises InvalidInput in one line, leaving `state` in an
    unknown state (work on a copy). Returns the notes to show."""
    notes = _change_domains(state, change)
    if change.mdm is not None:
        _switch_mdm(state, preset_named(change.mdm).name)
    for name, value in change.inputs.items():
        state.set_answer(name, value)
    if "json-file" in change.inputs:
        state.imported_json = change.document_path
    if change.method is not None:
        if change.method not in METHODS:
            raise InvalidInput(f"--method {argument(change.method)} is not redirect or self-host")
        state.method = change.method
    if change.platform is not None:
        state.platform = change.platform.strip().lower()
    if state.method is None and len(state.preset.methods) == 1:
        state.method = state.preset.methods[0]  # as choosing the MDM in the wizard does
    _change_settings(state, change)
    _check(state, change)
    if organization_done(state):
        state.reach("prerequisites")
    return notes


def organization_done(state: SetupState) -> bool:
    """Whether the wizard's Organization step would let the admin go on: domains, and the
    MDM's inputs complete."""
    return bool(state.domains) and state.preset.complete(state.answers()) is None


def _change_domains(state: SetupState, change: SetupChange) -> list[str]:
    if change.domains is not None and (change.add_domains or change.remove_domains):
        raise InvalidInput(
            "give --domain (the whole list) or --add-domain/--remove-domain, not both"
        )
    notes: list[str] = []
    if change.domains is not None:
        state.domains = _read_domains(change.domains, notes)
    for domain in _read_domains(change.add_domains, notes):
        if domain not in state.domains:
            state.domains.append(domain)
    for domain in _read_domains(change.remove_domains, []):
        if domain not in state.domains:
            listed = ", ".join(display_domain(d) for d in state.domains) or "none"
            raise InvalidInput(
                f"{display_domain(domain)} is not a domain of setup {state.name} "
                f"(its domains: {listed})"
            )
        state.domains.remove(domain)
    if not state.domains:
        raise InvalidInput(f"setup {state.name} would have no domain left; a setup needs one")
    return notes


def _read_domains(texts: tuple[str, ...], notes: list[str]) -> list[str]:
    """The domains in what was typed, read as the Organization step reads its field (e-mails
    and URLs name their domain); the first problem, in its words, as InvalidInput."""
    domains: list[str] = []
    for text in texts:
        found, problems, found_notes = parse_domain_list(text)
        if problems:
            raise InvalidInput(problems[0])
        if not found:
            raise InvalidInput("an empty domain: give the domain users sign in with")
        domains.extend(domain for domain in found if domain not in domains)
        notes.extend(note for note in found_notes if note not in notes)
    return domains


def _switch_mdm(state: SetupState, provider: str) -> None:
    """Choose another MDM as the Organization step does: a method it does not allow is
    not kept, nor an enrollment type it does not have; its own inputs, saved earlier, are."""
    state.provider = provider
    preset = state.preset
    if len(preset.methods) == 1:
        state.method = preset.methods[0]
    elif state.method not in preset.methods:
        state.method = None
    if state.enrollment not in preset.enrollments:
        state.enrollment = "user"


def _change_settings(state: SetupState, change: SetupChange) -> None:
    """The test settings, checked as `verify` checks the same options."""
    # The verifier's parsers load only when test settings are edited.
    from wizard.core.verify.connect_to import parse_connect_to
    from wizard.core.verify.resolve import parse_resolve

    settings = state.settings
    if change.connect_to is not None:
        rules = [spec.strip() for spec in change.connect_to if spec.strip()]
        for spec in rules:
            parse_connect_to(spec)
        settings.connect_to = rules
    if change.resolve is not None:
        rules = [spec.strip() for spec in change.resolve if spec.strip()]
        for spec in rules:
            parse_resolve(spec)
        settings.resolve = rules
    if change.ca_bundle is not None:
        if not change.ca_bundle.strip():
            settings.ca_bundle = None
        else:
            from wizard.core.verify.tls import check_ca_bundle  # ssl: only when asked

            # Absolute: a scheduled run starts in another folder.
            path = os.path.abspath(os.path.expanduser(change.ca_bundle.strip()))
            settings.ca_bundle = check_ca_bundle(path)


def _check(state: SetupState, change: SetupChange) -> None:
    """The wizard's rules for what the change touched, in one line each."""
    preset = state.preset
    answers = state.answers()
    preset.check_answers(answers, state.method)
    if change.names_mdm and (problem := preset.complete(answers)):
        flags = [f"--{item.name}" for item in preset.wizard_inputs if not item.choices]
        give = f" (give {' or '.join(flags)})" if flags else ""
        raise InvalidInput(f"--mdm {preset.name}: {problem.rstrip('.')}{give}")
    if change.platform is not None or change.method is not None or change.mdm is not None:
        _check_platform(state)
    if "json-file" in change.inputs and state.document_text is not None:
        # The artifacts load only when a document is imported.
        from wizard.core.artifacts.model import GenerateError
        from wizard.core.setups.options import imported_document

        try:
            imported_document(state, state.document_text)
        except GenerateError as error:
            raise InvalidInput(
                f"--json-file {argument(change.document_path or '')}: {error}"
            ) from None


def _check_platform(state: SetupState) -> None:
    """The Method step's rule: the platform must serve the method (GitHub Pages serves none)."""
    if state.platform is None:
        return
    # The generators load only when a platform is given.
    from wizard.core.artifacts.hosted import GITHUB_PAGES_REFUSAL
    from wizard.core.artifacts.platforms import PLATFORMS

    entry = PLATFORMS.get(state.platform)
    if entry is None:
        raise InvalidInput(
            f"unknown platform {argument(state.platform)}; choose one of {', '.join(PLATFORMS)}"
        )
    if not entry.methods:
        raise InvalidInput(GITHUB_PAGES_REFUSAL)
    if state.method is not None and state.method not in entry.methods:
        raise InvalidInput(
            f"--platform {entry.name}: {entry.title} supports only "
            f"--method {' or '.join(entry.methods)}"
        )
