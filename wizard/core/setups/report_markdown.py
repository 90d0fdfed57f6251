"""The Markdown report an admin attaches to a ticket: the setup and its last results."""

from __future__ import annotations

from pathlib import Path

from wizard.core.atomic_file import write_atomically
from wizard.core.diagnosis.evidence_report import ReproduceWith, render_domain
from wizard.core.prerequisites.checklist import prerequisites_for
from wizard.core.providers import title_of
from wizard.core.setups.files import make_private_folder
from wizard.core.setups.state import SetupState
from wizard.core.setups.steps import STEP_TITLES
from wizard.core.shown import printable


def _cell(text: str) -> str:
    """Table-safe and terminal-safe text (server text may contain anything)."""
    return printable(text).replace("|", "\\|").replace("\n", " ")


def _evidence(state: SetupState) -> list[str]:
    """Each domain's checks, causes, headers and curl commands, as `verify --report` writes."""
    reproduce = ReproduceWith(
        connect_to=state.settings.connect_to,
        resolve=state.settings.resolve,
        ca_bundle=state.settings.ca_bundle,
        timeout=state.settings.timeout,
    )
    lines: list[str] = []
    for result in state.last_results:
        lines += [*render_domain(result, reproduce), ""]
    return lines


def markdown_report(state: SetupState) -> str:
    """The report; every saved value is untrusted text, shown literally (`_cell`)."""
    provider = title_of(state.provider)
    lines = [
        f"# Account-driven enrollment setup: {_cell(state.name)}",
        "",
        f"- MDM: {provider} ({state.provider})",
        f"- Organization ID: {_cell(state.org_id or 'not given')}",
        f"- Domains: {_cell(', '.join(state.domains) or 'none yet')}",
        f"- Method: {state.method or 'not chosen'}; "
        f"platform: {_cell(state.platform or 'not chosen')}",
        f"- Step reached: {STEP_TITLES[state.step]}",
    ]
    if state.artifact_paths:
        lines.append(f"- Artifacts: {_cell(', '.join(state.artifact_paths))}")
    lines += ["", "## Prerequisites", ""]
    for item in prerequisites_for(state.provider):
        ticked = state.prerequisites.get(item.id)
        mark = f"[x] (confirmed {ticked:%Y-%m-%d %H:%M} UTC)" if ticked else "[ ]"
        lines.append(f"- {mark} {item.title}")
    lines += ["", "## Last verification", ""]
    if not state.last_verified_at:
        lines.append("Not verified yet.")
    else:
        verdict = "passed" if state.last_failure is None else f"failed ({state.last_failure})"
        if state.summary.last_unknown:
            verdict = f"unknown ({state.last_failure}: this machine could not resolve names)"
        lines.append(f"{state.last_verified_at:%Y-%m-%d %H:%M} UTC: {verdict}.")
        for result in state.last_results:
            word = "PASS" if result.ok else "UNKNOWN" if result.unknown else "FAIL"
            lines += ["", f"### {_cell(result.domain)}: {word}", ""]
            for by_os in result.os_verdicts:
                word = by_os.verdict.replace("_", " ")
                lines.append(f"- iOS/iPadOS {by_os.range}: {word}: {_cell(by_os.summary)}")
            if result.os_verdicts:
                lines.append("")
            for number, hop in enumerate(result.hops, 1):
                lines.append(f"{number}. `{hop.status}` {_cell(hop.url)}")
            lines += ["", "| check | status | summary |", "|---|---|---|"]
            for check in result.checks:
                lines.append(
                    f"| {_cell(check.id)} | {_cell(check.status)} | {_cell(check.summary)} |"
                )
            for check in result.checks:
                if check.remedy:
                    lines.append(f"\n**{_cell(check.id)}**: {_cell(check.remedy)}")
        lines += ["", "## Evidence", "", *_evidence(state)]
    if state.recent_runs:
        lines += ["", "## History (newest first)", ""]
        for run in state.recent_runs:
            failures = [f"{o.domain}: {o.failure}" for o in run.outcomes if not o.ok]
            line = f"{run.at:%Y-%m-%d %H:%M} UTC: " + (
                "passed" if run.ok else "failed (" + "; ".join(failures) + ")"
            )
            if run.conditions:
                line += " under test settings (" + "; ".join(run.conditions) + ")"
            lines.append(f"- {_cell(line)}")
    if state.link_runs:
        lines += ["", "## Managed Apple Accounts written to JumpCloud (newest first)", ""]
        for link_run in state.link_runs:
            lines.append(f"- {_cell(f'{link_run.at:%Y-%m-%d %H:%M} UTC: {link_run.describe()}')}")
    return "\n".join(lines) + "\n"


def write_markdown_report(state: SetupState, path: Path) -> None:
    """Write the report to `path`, 0600 and atomically, creating a missing folder 0700: it
    names internal hosts, addresses and the organization; the admin decides who sees it.
    Raises OSError."""
    if not path.parent.exists():  # a folder the admin already has keeps its mode
        make_private_folder(path.parent)
    write_atomically(path, markdown_report(state).encode("utf-8"), 0o600)
