"""Preparing artifacts as `adue-wizard generate` does: the MDM preset the answers name
(JumpCloud for an organization ID, another MDM for a URL or a document) produces what the
generators take, and what the artifacts say of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from wizard.core.artifacts.model import GenerateError, Setup
from wizard.core.artifacts.prepare import prepare_setup
from wizard.core.domains import InvalidInput
from wizard.core.protocol import Method
from wizard.core.providers import PRESETS, Answers


def prepared(
    method: Method,
    *,
    domains: Sequence[str] = (),
    org_id: str | None = None,
    target: str | None = None,
    base_url: str | None = None,
    document_text: str | None = None,
    exact_seed: bool = False,
    today: date | None = None,
) -> tuple[Setup, list[str]]:
    """The Setup (and warnings) `generate` builds from these answers; GenerateError where
    it would refuse them (exit status 2)."""
    answers = Answers(org_id=org_id, target=target, base_url=base_url, document_text=document_text)
    preset = PRESETS["jumpcloud" if org_id is not None else "generic"]
    try:
        preset.check_answers(answers, method)
        produced = preset.artifact_inputs(answers, method)
    except InvalidInput as error:
        raise GenerateError(str(error)) from None
    return prepare_setup(
        method,
        domains=domains,
        target=produced.target,
        base_url=produced.base_url,
        document_text=produced.document_text,
        version=produced.version,
        exact_seed=exact_seed,
        today=today,
        mdm=preset.mdm_notes(answers),
    )
