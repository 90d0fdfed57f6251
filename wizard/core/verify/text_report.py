"""The readable report of `adue-wizard verify`: hops, each check, and remedies.

Everything from a server (URLs, headers, bodies) passes through `printable()` first, so a
hostile server cannot move the cursor, change colours or retitle the terminal.
"""

from __future__ import annotations

import json

from wizard.core.codes import Status
from wizard.core.diagnosis.fingerprints import describe
from wizard.core.diagnosis.run_summary import run_headline
from wizard.core.providers import title_of
from wizard.core.results import Check, DomainReport, OsVerdict
from wizard.core.shown import printable, wrapped

_COLOURS: dict[str, str] = {"pass": "32", "warn": "33", "fail": "31", "skip": "2", "bold": "1"}
_LABELS: dict[Status, str] = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


def render_report(report: DomainReport, *, colour: bool, width: int | None = None) -> str:
    """The readable report; wrapped at `width` columns (a terminal's), or not at all (None:
    piped or redirected, where a reader or a script wants whole lines)."""

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
        # Ranges in a row with the same verdict for the same reason share one line.
        folded: list[tuple[list[str], OsVerdict]] = []
        for verdict in report.os_verdicts:
            if folded and (folded[-1][1].verdict, folded[-1][1].summary) == (
                verdict.verdict,
                verdict.summary,
            ):
                folded[-1][0].append(verdict.range)
            else:
                folded.append(([verdict.range], verdict))
        for ranges, verdict in folded:
            word = VERDICT_WORDS.get(verdict.verdict, verdict.verdict)
            joined = " and ".join(
                [", ".join(ranges[:-1]), ranges[-1]] if len(ranges) > 1 else ranges
            )
            text = f"{joined}: {word}: {verdict.summary}"
            lines.extend(wrapped(text, width, " " * 4, " " * 6))
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
    for check, titles in _folded(report.checks):
        label = paint(_LABELS[check.status], check.status)
        # The label is painted after wrapping: escape codes would count as columns.
        summary = wrapped(
            f"{_LABELS[check.status]}  {titles}: {printable(check.summary)}",
            width,
            "    ",
            " " * 10,
        )
        summary[0] = summary[0].replace(_LABELS[check.status], label, 1)
        lines.extend(summary)
        advice = check.advice if check.status in ("warn", "fail") else None
        if advice is None:
            continue
        indent, rest = " " * 10, " " * 12
        if check.cause:
            lines.extend(
                wrapped(printable(f"Cause: {check.cause}. {advice.problem}"), width, indent, rest)
            )
        else:
            lines.extend(wrapped(printable(f"Why: {advice.problem}"), width, indent, rest))
        lines.extend(wrapped(printable(f"Fix: {advice.fix}"), width, indent, rest))
        if advice.portal_message:
            lines.extend(wrapped(printable(advice.portal_line), width, indent, rest))
    return "\n".join(lines)


def _folded(checks: list[Check]) -> list[tuple[Check, str]]:
    """Each check with its title, skipped checks in a row that share one reason ("not
    reached: the domain does not resolve") as one line naming them all, as the wizard
    shows them: a failure early on is then one line, not ten."""
    rows: list[tuple[Check, list[str]]] = []
    for check in checks:
        previous = rows[-1][0] if rows else None
        if (
            previous is not None
            and check.status == previous.status == "skip"
            and check.summary == previous.summary
        ):
            rows[-1][1].append(check.id.heading)
        else:
            rows.append((check, [check.id.heading]))
    return [(check, ", ".join(titles)) for check, titles in rows]


VERDICT_WORDS = {
    "pass": "pass",
    "fail": "FAIL",
    "depends": "depends",
    "at_risk": "at risk",
    "unknown": "UNKNOWN",
}


def verdict_of(report: DomainReport) -> str:
    """FAIL (code), or PASS with what qualifies it: test settings, the risk on iOS 27."""
    if report.unknown:
        return f"UNKNOWN ({report.failure})"
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
    """The run's summary: first what every domain shares, when they all failed alike (or
    this machine could not resolve names), then the counts."""
    unknown = sum(1 for report in reports if report.unknown)
    failed = sum(1 for report in reports if not report.ok) - unknown
    passed = "passed under test settings" if any(r.conditions for r in reports) else "passed"
    counts = f"{len(reports)} domains: {len(reports) - failed - unknown} {passed}, {failed} failed"
    if unknown:
        counts += f", {unknown} unknown"
    headline = run_headline(reports)
    return f"{headline[:1].upper()}{headline[1:]}\n{counts}" if headline else counts
