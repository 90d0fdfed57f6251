"""A finished report judged against an MDM preset (`verify --mdm NAME`), and the MDM it
points at recognised (every run): the preset's expectations turn a passing `config` or
`redirects` check into `bad_config` with the expected value in the summary."""

from __future__ import annotations

from typing import Any

from wizard.core.diagnosis.placeholders import find_placeholder, redirect_targets
from wizard.core.providers.answers import Answers
from wizard.core.providers.judgement import document_problem, redirect_problem
from wizard.core.providers.presets import ALL_FAMILIES, PRESETS
from wizard.core.providers.recognition import recognise_chain
from wizard.core.verify.results import DomainReport


def judge_against_preset(report: DomainReport, mdm: str | None, answers: Answers) -> None:
    version, base_url = _first_server(report.document)
    report.mdm = recognise_chain(redirect_targets(report), base_url)
    if mdm is None:
        return
    preset = PRESETS[mdm]
    visited = [hop.url for hop in report.hops if hop.method == "GET"]
    problem = redirect_problem(preset, answers, report.domain, visited)
    if problem:
        _fail(report, "redirects", problem)
    if (
        version is not None
        and base_url is not None
        and not find_placeholder(base_url, report.domain)
    ):
        problem = document_problem(preset, answers, version, base_url)
        if problem is None and answers.document_text is not None:
            problem = _not_the_file(report, answers.document_text)
        if problem:
            _fail(report, "config", problem)
    if report.mdm is None and mdm != "generic" and report.ok:
        report.mdm = mdm


def _fail(report: DomainReport, check_id: str, summary: str) -> None:
    for check in report.checks:
        if check.id == check_id and check.status in ("pass", "warn"):
            # With several model families each summary starts with its family: keep it.
            family = check.summary.split(": ", 1)[0]
            prefix = f"{family}: " if family in ALL_FAMILIES else ""
            check.status, check.code, check.summary = "fail", "bad_config", prefix + summary


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


def _not_the_file(report: DomainReport, text: str) -> str | None:
    """Why the served document is not the --json-file, or None when it is."""
    import json

    from wizard.core.verify.results import MAX_EXCERPT_CHARS

    expected = text.removeprefix("\ufeff")
    try:
        same = json.loads(expected) == report.document
    except ValueError:
        same = False
    served = report.hops[-1].body_excerpt if report.hops else None
    if same and served is not None and len(expected) <= MAX_EXCERPT_CHARS:
        same = served.removeprefix("\ufeff") == expected
    if same:
        return None
    return f"the served document is not the --json-file ({len(expected.encode())} bytes expected)"
