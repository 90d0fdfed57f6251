"""The monitoring-plugins output (Nagios, Icinga, Naemon, Checkmk, Zabbix's Nagios
support), after the monitoring-plugins development guidelines:

    ADUE OK|WARNING|CRITICAL|UNKNOWN - <summary> | <perfdata>
    <what kept the check from running in full; a webhook not delivered (no state change)>
    <one line per failing or warning domain>

Exit status 0 OK (every domain passed, no warning), 1 WARNING (warnings only), 2 CRITICAL
(a domain failed), 3 UNKNOWN (bad usage, or the check could not run in full: a setup not
checked, a run not recorded, a history not readable, a domain this machine could not look up
(resolver_failed); a failure still says CRITICAL).

Performance data `'label'=value[UOM];[warn];[crit];[min];[max]`, labels always quoted,
numbers always with a decimal point (Python's formatting ignores the locale): per domain
its check's time (`s`), the days until its earliest certificate expires (warn below 30,
critical below 7: `30:` and `7:`, since low is bad; left out when no certificate was read)
and its failing addresses; then the domains passed, failed and unknown (not looked up from
here: resolver_failed, counted apart from the failures).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from wizard.core.results import DomainReport
from wizard.core.shown import printable
from wizard.core.watch.outcome import RunOutcome, SetupOutcome, problem_line

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
SERVICE = "ADUE"
CERT_WARN_DAYS, CERT_CRIT_DAYS = 30, 7
# Codes named in the summary line; the rest are counted in the lines below it.
NAMED_CODES = 3


def render(run: RunOutcome) -> tuple[str, int]:
    """The plugin output (status line with performance data, then the long output) and the
    exit status."""
    checked = run.reports()
    status = _status(run, [report for _, report in checked])
    summary = _summary(run, [report for _, report in checked])
    if status == UNKNOWN and run.troubles:
        summary = f"{'; '.join(run.troubles)}; {summary}"
    lines = [f"{SERVICE} {STATES[status]} - {plugin_text(summary)} | {_perfdata(run, checked)}"]
    lines += [plugin_text(trouble) for trouble in run.troubles]
    lines += [plugin_text(note) for note in run.notes]
    for setup, report in checked:
        line = problem_line(setup.name, report)
        if line is not None:
            lines.append(plugin_text(line))
    return "\n".join(lines), status


def unknown(message: str) -> str:
    """The output for a check that cannot run at all (bad usage): one UNKNOWN line."""
    return f"{SERVICE} {STATES[UNKNOWN]} - {plugin_text(message)}"


def plugin_text(text: str) -> str:
    """`text` for plugin output: one line of printable characters, and no `|`, which would
    start the performance data (shown as `¦`)."""
    return printable(" ".join(text.splitlines())).replace("|", "¦")


def _status(run: RunOutcome, reports: list[DomainReport]) -> int:
    # A domain this machine could not look up (resolver_failed) is unknown, not failing: its
    # state says nothing of the domain, and a monitor must not page for it as a failure.
    if any(not report.ok and not report.unknown for report in reports):
        return CRITICAL
    if run.troubles or not reports or any(report.unknown for report in reports):
        return UNKNOWN
    return WARNING if any(report.warned for report in reports) else OK


def _summary(run: RunOutcome, reports: list[DomainReport]) -> str:
    total = len(reports)
    failed = [report for report in reports if not report.ok and not report.unknown]
    unknown = [report for report in reports if report.unknown]
    warned = [report for report in reports if report.ok and report.warned]
    domains = f"{total} domain{'s' if total != 1 else ''}"
    named = [setup.name for setup in run.setups if setup.name is not None]
    where = f"{len(named)} setups, " if len(named) > 1 else f"setup {named[0]}: " if named else ""
    under = " under test settings" if any(report.conditions for report in reports) else ""
    if failed:
        codes = _codes([str(report.failure or "failed") for report in failed])
        return f"{where}{len(failed)} of {domains} failed ({codes})"
    if unknown:
        return (
            f"{where}{len(unknown)} of {domains} not known: this machine could not resolve "
            "names (resolver_failed); nothing is known about them"
        )
    if warned:
        found = [str(c.code or c.id) for r in warned for c in r.checks if c.status == "warn"]
        return f"{where}{domains} passed{under}, {len(warned)} with warnings ({_codes(found)})"
    if not reports:
        return f"{where}no domain checked"
    return f"{where}{domains} passed{under}"


def _codes(codes: list[str]) -> str:
    counted = [code for code, _ in Counter(codes).most_common()]
    shown = ", ".join(counted[:NAMED_CODES])
    return shown + (f" and {len(counted) - NAMED_CODES} more" if len(counted) > NAMED_CODES else "")


def _perfdata(run: RunOutcome, checked: list[tuple[SetupOutcome, DomainReport]]) -> str:
    items = []
    for setup, report in checked:
        label = _label(setup, report)
        items.append(_item(f"{label} time", f"{report.elapsed_ms / 1000:.3f}", "s", low=0))
        days = _days_left(report, run.at)
        if days is not None:
            thresholds = f"{CERT_WARN_DAYS}:", f"{CERT_CRIT_DAYS}:"
            items.append(_item(f"{label} cert_days", str(days), "", *thresholds))
        failing = sum(1 for address in report.addresses if address.ok is False)
        high = len(report.addresses)
        items.append(_item(f"{label} failing_addresses", str(failing), "", low=0, high=high))
    passed = sum(1 for _, report in checked if report.ok)
    unknown = sum(1 for _, report in checked if report.unknown)
    total = len(checked)
    items.append(_item("passed", str(passed), "", low=0, high=total))
    items.append(_item("failed", str(total - passed - unknown), "", low=0, high=total))
    items.append(_item("unknown", str(unknown), "", low=0, high=total))
    return " ".join(items)


def _label(setup: SetupOutcome, report: DomainReport) -> str:
    return report.domain if setup.name is None else f"{setup.name}/{report.domain}"


def _item(
    label: str,
    value: str,
    unit: str,
    warn: str = "",
    crit: str = "",
    *,
    low: int | None = None,
    high: int | None = None,
) -> str:
    """`'label'=value[UOM];[warn];[crit];[min];[max]`, trailing empty fields left out. A
    quote in a label is doubled and `=` cannot appear in one (the guidelines' rule)."""
    quoted = "'" + label.replace("'", "''").replace("=", "_") + "'"
    fields = [warn, crit, "" if low is None else str(low), "" if high is None else str(high)]
    while fields and not fields[-1]:
        fields.pop()
    return f"{quoted}={value}{unit}" + "".join(f";{field}" for field in fields)


def _days_left(report: DomainReport, at: datetime) -> int | None:
    expiry = report.earliest_cert_expiry()
    return None if expiry is None else (expiry - at).days
