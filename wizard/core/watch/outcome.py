"""What one `verify` run found, as the monitoring outputs read it: each setup's reports (a
plain `verify` of domains is one part without a name), when each domain last passed, and
what kept the check itself from running in full.

The outputs (`nagios`, `prometheus`, `junit`, and the one-line `problem_line` of
`--quiet`) only format this; they never decide a verdict of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wizard.core.results import DomainReport
from wizard.core.shown import printable


@dataclass
class SetupOutcome:
    """One saved setup's run, or (`name` None) the domains a plain `verify` was given."""

    name: str | None
    reports: list[DomainReport] = field(default_factory=list)
    # The test settings the run was made under, as on the command line (empty: as a device
    # on the internet).
    conditions: list[str] = field(default_factory=list)
    # When each domain last passed, this run included (from the setup's history); a domain
    # that never did is left out.
    last_passed: dict[str, datetime] = field(default_factory=dict)

    def unique_reports(self) -> list[DomainReport]:
        """The reports, each domain once (the first): `verify a.example a.example` checks
        it twice, but a metric or a test case names it once."""
        seen: set[str] = set()
        kept = []
        for report in self.reports:
            if report.domain not in seen:
                seen.add(report.domain)
                kept.append(report)
        return kept


@dataclass
class RunOutcome:
    setups: list[SetupOutcome]
    # When the run ended: the reference for "days until the certificate expires".
    at: datetime
    # What kept the check from running in full, one line each: a setup that could not be
    # checked, a run that could not be recorded, a history that could not be read. The
    # domains checked still count; Nagios says UNKNOWN unless one of them failed.
    troubles: list[str] = field(default_factory=list)
    # What else to say that changes no verdict (a webhook not delivered), one line each.
    notes: list[str] = field(default_factory=list)

    def reports(self) -> list[tuple[SetupOutcome, DomainReport]]:
        return [(setup, report) for setup in self.setups for report in setup.unique_reports()]

    @property
    def failed(self) -> bool:
        return any(not report.ok for _, report in self.reports())

    @property
    def warned(self) -> bool:
        return any(report.warned for _, report in self.reports())


def problem_line(setup: str | None, report: DomainReport) -> str | None:
    """One line for a domain that failed, warned or could not be checked from here (None
    when it passed cleanly): the setup in brackets, the domain, the verdict with its code,
    what the failing (or first warning) check saw, and the test settings it was checked
    under, if any. What `--quiet` prints and what follows Nagios's status line."""
    problems = report.problems()
    if not problems:
        return None
    first = problems[0]
    warnings = list(dict.fromkeys(c.code or c.id for c in problems if c.status == "warn"))
    if report.unknown:  # this machine's problem (resolver_failed): nothing known, not failing
        verdict = f"UNKNOWN ({first.code or first.id})"
        also = ""
    elif first.status == "fail":
        verdict = f"FAIL ({first.code or first.id})"
        also = f"; also warns: {', '.join(warnings)}" if warnings else ""
    else:
        verdict = f"WARN ({', '.join(warnings)})"
        also = ""
    where = f"[{setup}] " if setup is not None else ""
    line = f"{where}{report.domain}: {verdict}: {first.summary}{also}"
    if report.conditions:
        line += f" (under test settings: {'; '.join(report.conditions)})"
    return printable(line)
