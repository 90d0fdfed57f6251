"""The readable report of `adue-wizard verify`: hops, each check, and remedies.

Everything from a server (URLs, headers, bodies) passes through `printable()` first, so a
hostile server cannot move the cursor, change colours or retitle the terminal.
"""

from __future__ import annotations

import json
import textwrap

from wizard.core.codes import Status
from wizard.core.diagnosis.fingerprints import describe
from wizard.core.providers import title_of
from wizard.core.results import DomainReport
from wizard.core.shown import printable

_COLOURS: dict[str, str] = {"pass": "32", "warn": "33", "fail": "31", "skip": "2", "bold": "1"}
_LABELS: dict[Status, str] = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


def render_report(report: DomainReport, *, colour: bool, width: int | None = None) -> str:
    """The readable report; wrapped at `width` columns (a terminal's), or not at all (None:
    piped or redirected, where a reader or a script wants whole lines)."""

    def wrapped(text: str, indent: str, rest: str) -> list[str]:
        if width is None:
            return [indent + text]
        return textwrap.wrap(
            text,
            max(width, 40),
            initial_indent=indent,
            subsequent_indent=rest,
            break_on_hyphens=False,
            break_long_words=False,  # a quoted directive or URL must stay copyable
        )

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_COLOURS[style]}m{text}\x1b[0m" if colour else text

    lines = [
        paint(f"{report.domain}: {verdict_of(report)}", "bold" if report.ok else "fail")
        + f"  [{report.elapsed_ms} ms]"
    ]
    if report.mdm:
        lines.append(f"  MDM: {title_of(report.mdm)} ({report.mdm})")
    if report.os_verdicts:
        lines.append("  By iOS/iPadOS version:")
        for verdict in report.os_verdicts:
            word = VERDICT_WORDS.get(verdict.verdict, verdict.verdict)
            lines.extend(wrapped(f"{verdict.range}: {word}: {verdict.summary}", " " * 4, " " * 6))
    if report.hops:
        lines.append("  Requests:")
        for number, hop in enumerate(report.hops, 1):
            status = str(hop.status) if hop.status is not None else "---"
            answered = describe(hop.response_headers)
            suffix = f"  ({answered})" if answered else ""
            lines.append(f"    {number}. {status} {printable(hop.url)}{suffix}")
            if hop.location is not None:
                lines.append(f"       Location: {printable(hop.location)}")
    if len(report.addresses) > 1:
        lines.append("  Addresses:")
        for address in report.addresses:
            outcome = {True: "passed", False: f"FAIL ({address.failure})", None: "not checked"}
            lines.append(
                f"    {printable(address.address)} ({address.family}): {outcome[address.ok]}"
            )
    lines.append("  Checks:")
    for check in report.checks:
        label = paint(_LABELS[check.status], check.status)
        title = check.id.heading
        # The label is painted after wrapping: escape codes would count as columns.
        summary = wrapped(
            f"{_LABELS[check.status]}  {title}: {printable(check.summary)}", "    ", " " * 10
        )
        summary[0] = summary[0].replace(_LABELS[check.status], label, 1)
        lines.extend(summary)
        advice = check.advice if check.status in ("warn", "fail") else None
        if advice is None:
            continue
        indent, rest = " " * 10, " " * 12
        if check.cause:
            lines.extend(
                wrapped(printable(f"Cause: {check.cause}. {advice.problem}"), indent, rest)
            )
        else:
            lines.extend(wrapped(printable(f"Why: {advice.problem}"), indent, rest))
        lines.extend(wrapped(printable(f"Fix: {advice.fix}"), indent, rest))
        if advice.portal_message:
            lines.extend(wrapped(printable(advice.portal_line), indent, rest))
    return "\n".join(lines)


VERDICT_WORDS = {"pass": "pass", "fail": "FAIL", "depends": "depends", "at_risk": "at risk"}


def verdict_of(report: DomainReport) -> str:
    """FAIL (code), or PASS with what qualifies it: test settings, the risk on iOS 27."""
    if not report.ok:
        return f"FAIL ({report.failure})"
    qualified = []
    if report.conditions:
        qualified.append("passed under test settings")
    if any(verdict.verdict == "at_risk" for verdict in report.os_verdicts):
        qualified.append("passes today; at risk on iOS 27 and later")
    return f"PASS ({'; '.join(qualified)})" if qualified else "PASS"


def render_json_line(report: DomainReport) -> str:
    # ensure_ascii keeps every control character escaped: safe to print to a terminal.
    return json.dumps(report.to_json(), ensure_ascii=True)


def render_conditions(conditions: list[str]) -> str:
    """The line printed before any verdict when test settings shape the run."""
    return (
        f"Checked under test settings: {printable('; '.join(conditions))}; "
        "a device on the internet may see something else"
    )


def render_totals(reports: list[DomainReport]) -> str:
    failed = sum(1 for report in reports if not report.ok)
    passed = "passed under test settings" if any(r.conditions for r in reports) else "passed"
    return f"{len(reports)} domains: {len(reports) - failed} {passed}, {failed} failed"
