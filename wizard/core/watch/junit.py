"""JUnit XML for CI pipelines (`--junit FILE`: GitLab, Jenkins, GitHub Actions reporters).

One `testsuite` per setup (a plain `verify` of domains is one suite), one `testcase` per
domain. A failing domain's case holds a `failure` (an `error` when this machine could not
look it up: resolver_failed, nothing known of the domain) whose `type` is the failure code and
whose text gives, for each failing check, the code, the cause, what was seen, the problem
and the fix. Warnings do not fail a case: they go to its `system-out`, which the
reporters show beside it. The test settings a suite ran under are a suite property.

Server text (summaries quote what a server sent) may hold characters XML 1.0 does not
allow at all, escaped or not (most C0 controls, lone surrogates, U+FFFE): every text and
attribute is passed through `printable`, which shows them as Python escapes.
"""

from __future__ import annotations

from datetime import UTC
from xml.etree import ElementTree

from wizard.core.results import Check, DomainReport
from wizard.core.shown import printable
from wizard.core.watch.outcome import RunOutcome, SetupOutcome

PLAIN_SUITE = "adue-wizard verify"


def render(run: RunOutcome) -> bytes:
    """The whole document, UTF-8 with an XML declaration."""
    # The schema most reporters follow wants a local time without an offset: UTC, said so
    # nowhere else, is the least surprising.
    stamp = run.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    suites = [_suite(setup, stamp) for setup in run.setups]
    root = ElementTree.Element(
        "testsuites",
        _counts(PLAIN_SUITE, [report for _, report in run.reports()]),
    )
    root.extend(suites)
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return document + b"\n"


def _suite(setup: SetupOutcome, stamp: str) -> ElementTree.Element:
    name = setup.name if setup.name is not None else PLAIN_SUITE
    reports = setup.unique_reports()
    suite = ElementTree.Element("testsuite", {**_counts(name, reports), "timestamp": stamp})
    if setup.conditions:
        properties = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(
            properties,
            "property",
            {"name": "test settings", "value": _text("; ".join(setup.conditions))},
        )
    for report in reports:
        suite.append(_case(name, report))
    return suite


def _counts(name: str, reports: list[DomainReport]) -> dict[str, str]:
    return {
        "name": _text(name),
        "tests": str(len(reports)),
        "failures": str(sum(1 for report in reports if not report.ok and not report.unknown)),
        "errors": str(sum(1 for report in reports if report.unknown)),
        "skipped": "0",
        "time": f"{sum(report.elapsed_ms for report in reports) / 1000:.3f}",
    }


def _case(suite: str, report: DomainReport) -> ElementTree.Element:
    seconds = f"{report.elapsed_ms / 1000:.3f}"
    case = ElementTree.Element(
        "testcase", {"name": report.domain, "classname": _text(suite), "time": seconds}
    )
    failing = [check for check in report.checks if check.status == "fail"]
    if failing:
        first = failing[0]
        # A domain this machine could not look up (resolver_failed) is the pipeline's error,
        # not the domain's failure: JUnit's `error` says the test could not run.
        failure = ElementTree.SubElement(
            case,
            "error" if report.unknown else "failure",
            {
                "type": str(first.code or first.id),
                "message": _text(f"{first.code or first.id}: {first.summary}"),
            },
        )
        failure.text = _text("\n\n".join(_described(check) for check in failing))
    warnings = [check for check in report.checks if check.status == "warn"]
    said = [f"Checked under test settings: {'; '.join(report.conditions)}"]
    said = said if report.conditions else []
    said += [_described(check) for check in warnings]
    if said:
        ElementTree.SubElement(case, "system-out").text = _text("\n\n".join(said))
    return case


def _described(check: Check) -> str:
    """A failing or warning check in plain lines: code, cause, what was seen, and the fix."""
    heading = f"{check.status.upper()} {check.code or check.id}: {check.id.heading}"
    lines = [f"{heading}: {check.summary}"]
    if check.cause:
        lines.append(f"Cause: {check.cause}")
    if check.advice is not None:
        if check.advice.problem:
            lines.append(f"Problem: {check.advice.problem}")
        lines.append(f"Fix: {check.advice.fix}")
        if check.advice.portal_message:
            lines.append(f'JumpCloud portal: "{check.advice.portal_message}"')
    return "\n".join(lines)


def _text(text: str) -> str:
    """`text` with its lines kept and anything XML 1.0 cannot carry shown as an escape."""
    return "\n".join(printable(line) for line in text.split("\n"))
