"""The admin's answers turned into a validated `Setup` for the generators: a redirect target,
or a discovery document (built from a BaseURL, or imported and kept byte for byte)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from wizard.core.artifacts.model import GenerateError, MdmNotes, Setup
from wizard.core.document import (
    BOM_FIX,
    BOM_PROBLEM,
    DocumentError,
    build_document,
    check_rules,
    parse_document_text,
)
from wizard.core.protocol import USER_ENROLLMENT, Method
from wizard.core.urls import url_problem


def prepare_setup(
    method: Method,
    *,
    domains: Sequence[str] = (),
    target: str | None = None,
    base_url: str | None = None,
    document_text: str | None = None,
    exact_seed: bool = False,
    today: date | None = None,
    version: str = USER_ENROLLMENT,
    mdm: MdmNotes | None = None,
) -> tuple[Setup, list[str]]:
    """Validate the answers; return the Setup and warnings. Raises GenerateError.

    `domains` must already be validated (duplicates are dropped). An imported document is
    kept exactly as given: it is checked against the Apple schema, never rewritten. `mdm`
    is what the MDM's preset has the artifacts say (see MdmNotes).
    """
    warnings: list[str] = []
    hosts = tuple(dict.fromkeys(domains))
    notes = mdm or MdmNotes()
    day = today or date.today()
    if method == "redirect":
        if base_url is not None or document_text is not None:
            raise GenerateError("--base-url and --json-file are for --method self-host")
        if target is None:
            raise GenerateError(
                "a redirect needs --org-id (JumpCloud) or --target URL (another MDM's "
                "discovery URL)"
            )
        problem = url_problem(target, "--target")
        if problem:
            raise GenerateError(problem)
        return Setup(method, hosts, notes, target, None, not exact_seed, day), warnings

    if target is not None:
        raise GenerateError(
            "--target is for --method redirect; self-host takes --base-url or --json-file"
        )
    if document_text is None and base_url is None:
        raise GenerateError("self-host needs --json-file PATH or --base-url URL")
    if document_text is not None and base_url is not None:
        raise GenerateError("give --json-file or --base-url, not both")
    if base_url is not None:
        problem = url_problem(base_url, "--base-url")
        if problem:
            raise GenerateError(problem)
    try:
        if base_url is not None:
            document_text = build_document(base_url, version)
        assert document_text is not None
        # A byte-order mark (many Windows editors add one) is read past, as `verify` does,
        # and warned about below; the file itself is kept byte for byte.
        document = parse_document_text(document_text.removeprefix("\ufeff"))
    except DocumentError as error:
        raise GenerateError(f"the discovery document is not valid: {error}") from None
    for finding in check_rules(document):
        if finding.severity == "fail":
            raise GenerateError(f"the discovery document is not valid: {finding.message}")
        warnings.append(finding.message)
    # The document is published byte for byte, but its BaseURL also reaches the screen and
    # the steps: it must be as clean as a --base-url.
    problem = url_problem(document.base_url, "the document's BaseURL")
    if problem:
        raise GenerateError(problem)
    if document_text.startswith("\ufeff"):
        warnings.append(f"{BOM_PROBLEM} It is kept as it is. Fix: {BOM_FIX}")
    return Setup(method, hosts, notes, None, document_text, not exact_seed, day), warnings
