"""A finished report judged against an MDM preset (`verify --mdm NAME`), and the MDM it
points at recognised (every run): the preset's expectations turn a passing `config` check
into `bad_config` with the expected value in the summary. (The redirect chain is judged as it
is followed, see `redirects`.)"""

from __future__ import annotations

import json
from typing import Any

from wizard.core.codes import CheckId, Code
from wizard.core.placeholders import find_placeholder
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.providers import PRESETS, Answers, recognise_chain
from wizard.core.results import MAX_EXCERPT_CHARS, DomainReport


def judge_against_preset(report: DomainReport, mdm: str | None, answers: Answers) -> None:
    version, base_url = _first_server(report.document)
    recognised = recognise_chain(report.redirect_targets(), base_url)
    report.mdm = recognised.name if recognised else None
    if mdm is None:
        return
    preset = PRESETS[mdm]
    if (
        version is not None
        and base_url is not None
        and not find_placeholder(base_url, report.domain)
    ):
        problem = preset.document_problem(answers, version, base_url)
        if problem is None and answers.document_text is not None:
            problem = _not_the_file(report, answers.document_text, answers.expected_from)
        if problem:
            _fail_config(report, problem)
    if report.mdm is None and mdm != "generic" and report.ok:
        report.mdm = mdm


def _fail_config(report: DomainReport, summary: str) -> None:
    for check in report.checks:
        if check.id == CheckId.CONFIG and check.status in ("pass", "warn"):
            # With several model families each summary starts with its family: keep it.
            family = check.summary.split(": ", 1)[0]
            prefix = f"{family}: " if family in MODEL_FAMILIES else ""
            check.status, check.code, check.summary = "fail", Code.BAD_CONFIG, prefix + summary


def _first_server(document: Any) -> tuple[str | None, str | None]:
    if not isinstance(document, dict) or not isinstance(document.get("Servers"), list):
        return None, None
    servers = document["Servers"]
    if not servers or not isinstance(servers[0], dict):
        return None, None
    version, base_url = servers[0].get("Version"), servers[0].get("BaseURL")
    return (
        version if isinstance(version, str) else None,
        base_url if isinstance(base_url, str) else None,
    )


def _not_the_file(report: DomainReport, text: str, expected_from: str | None) -> str | None:
    """Why the served document is not the expected one (the --json-file, or the MDM's own
    configuration), or None when it is."""
    expected = text.removeprefix("\ufeff")
    try:
        wanted = json.loads(expected)
    except ValueError:
        wanted = None
    same = wanted is not None and wanted == report.document
    served = report.hops[-1].body_excerpt if report.hops else None
    if same and served is not None and len(expected) <= MAX_EXCERPT_CHARS:
        same = served.removeprefix("\ufeff") == expected
    if same:
        return None
    if expected_from is None:
        size = len(expected.encode())
        return f"the served document is not the --json-file ({size} bytes expected)"
    _, wanted_url = _first_server(wanted)
    _, served_url = _first_server(report.document)
    if wanted_url is not None and wanted_url != served_url:
        return f"{expected_from} says BaseURL {wanted_url}; the domain serves {served_url}"
    return f"{expected_from} is another document: serve it exactly"
