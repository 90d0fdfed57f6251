"""The readable report of `adue-wizard prereqs`: one line per check, what to do under it.

Everything that came from outside (JumpCloud's answers, user names and e-mails, TXT records,
server errors) passes through `printable()`: a hostile name cannot move the cursor or
retitle the terminal.
"""

from __future__ import annotations

from wizard.core.prerequisites.checks import PrereqReport, PrereqStatus
from wizard.core.providers import title_of
from wizard.core.shown import printable, wrapped

LABELS: dict[PrereqStatus, str] = {
    "pass": "PASS",
    "warn": "WARN",
    "fail": "FAIL",
    "skip": "SKIP",
    "manual": "CHECK",
}
_COLOURS: dict[PrereqStatus, str] = {
    "pass": "32",
    "warn": "33",
    "fail": "31",
    "skip": "2",
    "manual": "36",
}
# The widest id ("certificate_trusted") sets the column of the summaries.
_ID_WIDTH = 20


def render_prereqs(report: PrereqReport, *, colour: bool, width: int | None = None) -> str:
    """The report; wrapped at `width` columns (a terminal's), or whole lines when None."""

    lines = [heading(report)]
    if report.conditions:
        lines += wrapped(
            "under test settings: " + printable("; ".join(report.conditions)), width, "", "  "
        )
    lines.append("")
    hanging = " " * (7 + _ID_WIDTH + 1)
    for check in report.checks:
        label = LABELS[check.status]
        where = f"{printable(check.domain)}: " if check.domain else ""
        text = f"{label:<6} {check.id:<{_ID_WIDTH}} {where}{printable(check.summary)}"
        first, *rest = wrapped(text, width, "", hanging)
        if colour:
            first = first.replace(label, f"\x1b[{_COLOURS[check.status]}m{label}\x1b[0m", 1)
        lines += [first, *rest]
        if check.remedy and check.status in ("fail", "warn", "manual", "skip"):
            word = {"manual": "where", "skip": "how"}.get(check.status, "fix")
            lines += wrapped(f"{word}: {printable(check.remedy)}", width, hanging, hanging + "  ")
    lines += ["", totals(report)]
    return "\n".join(lines)


def heading(report: PrereqReport) -> str:
    about = f"setup {printable(report.setup)}: " if report.setup else ""
    mdm = title_of(report.mdm)
    org = f", organization {printable(report.org_id)}" if report.org_id else ""
    domains = ", ".join(printable(domain) for domain in report.domains)
    return f"Prerequisites for {about}{mdm}{org}; {domains}"


def totals(report: PrereqReport) -> str:
    counts = report.counts()
    parts = [
        f"{counts['fail']} failed",
        f"{counts['warn']} to look at" if counts["warn"] else "",
        f"{counts['pass']} passed",
        f"{counts['manual']} to confirm yourself" if counts["manual"] else "",
        f"{counts['skip']} not checked" if counts["skip"] else "",
    ]
    return ", ".join(part for part in parts if part)
