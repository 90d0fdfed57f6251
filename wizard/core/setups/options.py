"""A saved setup put to work: verifying its domains with its settings, and the artifact
setup its answers describe."""

from __future__ import annotations

import dataclasses
from datetime import date

from wizard.core.artifacts.model import GenerateError, Setup
from wizard.core.artifacts.prepare import prepare_setup
from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.access import AdueConfiguration
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.setups.state import SetupState
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.options import GivenOptions, VerifyOptions
from wizard.core.verify.resolve import parse_resolve
from wizard.core.verify.tls import check_ca_bundle
from wizard.core.verify.transport import DEVICE_USER_AGENT


def verify_options(
    state: SetupState,
    given: GivenOptions | None = None,
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
        mdm=state.provider,
        # The document and URLs were checked where they were entered: a saved run judges the
        # domain against the preset's own inputs.
        mdm_answers=state.answers(with_document=False),
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
    )
    return dataclasses.replace(saved, **given)


def artifact_setup(state: SetupState, today: date | None = None) -> tuple[Setup, list[str]]:
    """The generators' Setup for a saved setup, covering all its domains; raises
    GenerateError naming what is missing, in the wizard's words."""
    if state.method is None:
        raise GenerateError("choose Redirect or Self-Host first")
    preset = state.preset
    if state.method not in preset.methods:
        raise GenerateError(f"{preset.title} allows only {' or '.join(preset.methods)}")
    answers = state.answers()
    if state.method == "self-host" and answers.document_text is None:
        if preset.download:
            raise GenerateError(
                f"import the JSON file downloaded from {preset.title} (on this step)"
            )
        if preset.base_url(answers) is None:
            raise GenerateError("enter your MDM's BaseURL on the Organization step")
    if state.method == "redirect" and preset.target(answers) is None:
        raise GenerateError("enter your MDM's discovery URL on the Organization step")
    try:
        produced = preset.artifact_inputs(answers, state.method)
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
        mdm=preset.mdm_notes(answers),
    )


def imported_document(state: SetupState, text: str) -> tuple[Setup, list[str]]:
    """A JSON file the admin imports on the Platform step, checked against the setup's MDM;
    raises GenerateError in one line."""
    answers = dataclasses.replace(state.answers(), document_text=text)
    try:
        state.preset.artifact_inputs(answers, "self-host")
    except InvalidInput as error:
        raise GenerateError(str(error)) from None
    return prepare_setup("self-host", document_text=text)


JUMPCLOUDS_CONFIGURATION = "JumpCloud's configuration"


def with_jumpcloud_configuration(
    state: SetupState, options: VerifyOptions, config: AdueConfiguration
) -> VerifyOptions:
    """The options with JumpCloud's own ADUE configuration as what the setup's domains must
    serve (Self-Host: its JSON, exactly) or reach (Redirect: its redirect URL), so that a
    mismatch names it; unchanged when the setup's method is not chosen yet or JumpCloud has
    nothing for it."""
    answers = options.mdm_answers
    if state.method == "self-host" and config.json_config is not None:
        answers = dataclasses.replace(
            answers, document_text=config.json_config, expected_from=JUMPCLOUDS_CONFIGURATION
        )
    elif state.method == "redirect" and config.redirect_url is not None:
        answers = dataclasses.replace(
            answers, target=config.redirect_url, expected_from=JUMPCLOUDS_CONFIGURATION
        )
    else:
        return options
    return dataclasses.replace(options, mdm_answers=answers)
