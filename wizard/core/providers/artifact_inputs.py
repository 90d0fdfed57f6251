"""What the artifact generators get from an MDM preset: the redirect target, or the BaseURL
or downloaded document (checked against the preset) and the Version to publish."""

from __future__ import annotations

from dataclasses import dataclass, replace

from wizard.core.domains import InvalidInput
from wizard.core.providers.answers import (
    Answers,
    built_base_url,
    built_target,
    expected_version,
)
from wizard.core.providers.judgement import document_problem
from wizard.core.providers.presets import Preset

MISSING = {
    "intune": "Microsoft Intune needs the tenant ID (--tenant-id GUID) or its JSON (--json-file)",
    "jamf": "Jamf Pro needs the Jamf Pro URL (--server-url URL) or its JSON (--json-file)",
    "fleet": "Fleet needs the Fleet server URL (--server-url URL), the BaseURL Fleet shows "
    "(--base-url URL) or its JSON (--json-file)",
    "manageengine": "ManageEngine MDM Plus needs the JSON downloaded from its console "
    "(--json-file PATH)",
    "ivanti": "Ivanti Neurons for MDM needs the cluster's https URL (--server-url URL)",
}


@dataclass(frozen=True)
class ArtifactInputs:
    """What `prepare_setup` takes, as the preset produces it from the answers."""

    target: str | None
    base_url: str | None
    document_text: str | None
    version: str


def artifact_inputs(preset: Preset, answers: Answers, method: str) -> ArtifactInputs:
    """The redirect target, or the BaseURL or document, for `preset`; ValueError (one line)
    when an input is missing or the document is not what the preset expects."""
    from wizard.core.diagnosis.placeholders import find_placeholder
    from wizard.core.document import DocumentError, parse_document_text

    version = expected_version(preset, answers)
    if method == "redirect":
        target = built_target(preset, answers)
        if target is None and preset.name in MISSING:
            raise InvalidInput(MISSING[preset.name])
        return ArtifactInputs(target, None, None, version)
    base_url = None if answers.document_text is not None else built_base_url(preset, answers)
    if base_url is None and answers.document_text is None and preset.name in MISSING:
        raise InvalidInput(MISSING[preset.name])
    if answers.document_text is not None:
        try:
            document = parse_document_text(answers.document_text.removeprefix("\ufeff"))
        except DocumentError:
            # The generators say what is wrong with its shape, in their words.
            return ArtifactInputs(None, None, answers.document_text, version)
        found_version, found_url = document.version, document.base_url
    elif base_url is not None:
        found_version, found_url = version, base_url
    else:
        return ArtifactInputs(None, None, None, version)
    hit = find_placeholder(found_url)
    if hit:
        raise InvalidInput(f"the BaseURL {found_url} holds {hit}: a placeholder left in")
    problem = document_problem(preset, replace(answers, base_url=None), found_version, found_url)
    if problem:
        raise InvalidInput(f"not a {preset.title} document: {problem}")
    return ArtifactInputs(None, base_url, answers.document_text, version)
