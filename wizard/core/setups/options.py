"""A saved setup put to work: verifying its domains with its settings, and the artifact
setup its answers describe."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from wizard.core.artifacts import GenerateError, Setup, prepare_setup
from wizard.core.domains import InvalidInput
from wizard.core.providers.answers import Answers, preset_named
from wizard.core.providers.artifact_inputs import artifact_inputs
from wizard.core.providers.presets import PRESETS
from wizard.core.setups.state import SetupState
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.resolve import parse_resolve
from wizard.core.verify.tls import check_ca_bundle
from wizard.core.verify.transport import DEVICE_USER_AGENT
from wizard.core.verify.verifier import MODEL_FAMILIES, VerifyOptions


def verify_options(
    state: SetupState,
    given: Mapping[str, Any] | None = None,
    *,
    test_settings: bool = True,
    probe_enroll: bool = False,
) -> VerifyOptions:
    """VerifyOptions from a setup, with `given` (options from the command line) winning;
    `test_settings` False leaves out the saved --connect-to, --resolve, --ca-bundle and
    --user-agent (a device on the internet). Raises InvalidInput in one line if a saved
    setting in use is malformed or gone."""
    given = given or {}
    settings = state.settings
    ca_bundle = (settings.ca_bundle or None) if test_settings else None
    if ca_bundle and "ca_bundle" not in given:
        check_ca_bundle(ca_bundle, "the saved setting --ca-bundle")
    families = tuple(
        family
        for name in settings.model_family.split(",")
        for family in MODEL_FAMILIES
        if family.lower() == name.strip().lower()
    ) or ("iPhone",)
    saved = VerifyOptions(
        org_id=state.org_id if state.provider == "jumpcloud" else None,
        connect_to=tuple(parse_connect_to(spec) for spec in settings.connect_to)
        if test_settings
        else (),
        resolve=tuple(parse_resolve(spec) for spec in settings.resolve) if test_settings else (),
        user_agent=(settings.user_agent or DEVICE_USER_AGENT)
        if test_settings
        else DEVICE_USER_AGENT,
        ca_bundle=ca_bundle,
        timeout=settings.timeout,
        user=settings.user or None,
        model_families=families,
        probe_enroll=probe_enroll,
        platform=state.platform,
        method=state.method,
        mdm=state.provider,
        mdm_answers=preset_answers(state),
    )
    return dataclasses.replace(saved, **given)


def preset_answers(state: SetupState) -> Answers:
    """The preset's own inputs saved with the setup (the document and URLs are checked
    where they are entered, so a saved run judges the domain against the preset only)."""
    return Answers(
        org_id=state.org_id if state.provider == "jumpcloud" else None,
        tenant_id=state.tenant_id if state.provider == "intune" else None,
        cloud=state.cloud if state.provider == "intune" else None,
        server_url=state.server_url if state.provider in ("jamf", "fleet", "ivanti") else None,
        enrollment=state.enrollment if state.provider == "jamf" else "user",
    )


def artifact_setup(state: SetupState, today: date | None = None) -> tuple[Setup, list[str]]:
    """The generators' Setup for a saved setup, covering all its domains; raises
    GenerateError naming what is missing."""
    if state.method is None:
        raise GenerateError("choose Redirect or Self-Host first")
    preset = PRESETS[state.provider]
    if state.method not in preset.methods:
        raise GenerateError(f"{preset.title} allows only {' or '.join(preset.methods)}")
    if state.provider not in ("jumpcloud", "generic"):
        try:
            answers = dataclasses.replace(preset_answers(state), document_text=state.document_text)
            produced = artifact_inputs(preset, answers, state.method)
        except InvalidInput as error:
            raise GenerateError(str(error)) from None
        return prepare_setup(
            state.method,
            domains=state.domains,
            target=produced.target,
            base_url=produced.base_url,
            document_text=produced.document_text,
            version=produced.version,
            exact_seed=state.exact_seed,
            today=today,
        )
    jumpcloud = state.provider == "jumpcloud"
    if state.method == "redirect":
        target = None if jumpcloud else state.generic_target
        if not jumpcloud and not target:
            raise GenerateError("enter your MDM's discovery URL on the Organization step")
        return prepare_setup(
            "redirect",
            domains=state.domains,
            # An ID kept from a JumpCloud answer is not this target's organization.
            org_id=state.org_id if jumpcloud else None,
            target=target,
            exact_seed=state.exact_seed,
            today=today,
        )
    if state.document_text is None and (jumpcloud or not state.generic_base_url):
        raise GenerateError(
            "import the JSON file downloaded from JumpCloud (Self Host > Download JSON)"
            if jumpcloud
            else "enter your MDM's BaseURL on the Organization step"
        )
    return prepare_setup(
        "self-host",
        domains=state.domains,
        org_id=state.org_id if jumpcloud else None,
        document_text=state.document_text,
        base_url=None if state.document_text is not None else state.generic_base_url,
        exact_seed=state.exact_seed,
        today=today,
    )


def imported_document(state: SetupState, text: str) -> tuple[Setup, list[str]]:
    """A JSON file the admin imports on the Platform step, checked against the setup's MDM;
    raises GenerateError in one line."""
    preset = preset_named(state.provider)
    if preset.name not in ("jumpcloud", "generic"):
        try:
            answers = dataclasses.replace(preset_answers(state), document_text=text)
            artifact_inputs(preset, answers, "self-host")
        except InvalidInput as error:
            raise GenerateError(str(error)) from None
    org_id = state.org_id if preset.name == "jumpcloud" else None
    return prepare_setup("self-host", org_id=org_id, document_text=text)
