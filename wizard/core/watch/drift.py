"""Drift: a saved setup's domain that still passes, but serves another document or ends its
redirects somewhere else than at its last passing run, gets the warning
`changed_since_pass`, saying what changed, before and after. A warning never turns a pass
into a fail.

Documents are compared as JSON values: key order and whitespace are not a change, a changed
BaseURL or Version is. The comparison is with the last pass made under the same test
settings (`served` in the history): a check through --connect-to to a staging server is not
compared with production.

The warning is added to each report before it is shown and recorded (`mark`), so it is in
`verify`'s output, the recorded run, and the wizard's Verify step alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wizard.core.codes import CheckId, Code
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.results import Advice, Check, DomainReport
from wizard.core.setups.history import RunHistory
from wizard.core.setups.served import Served, canonical_json, served_by

# Differences named one by one; more are counted.
MAX_DIFFERENCES = 3
# A value quoted in a difference is cut here: the point is to recognise it.
MAX_VALUE_CHARS = 160


@dataclass(frozen=True)
class Baseline:
    """What each domain of a setup served at its last pass under the run's test settings."""

    served: dict[str, tuple[datetime, Served]]

    @classmethod
    def load(cls, history: RunHistory, setup: str, conditions: Sequence[str]) -> Baseline:
        return cls(history.served_before(setup, conditions))

    def mark(self, report: DomainReport) -> None:
        """Warn `changed_since_pass` on a passing report that serves something else than at
        its last pass; nothing for a failing report, or a domain that never passed."""
        kept = self.served.get(report.domain)
        now = served_by(report)
        if kept is None or now is None:
            return
        at, before = kept
        if before.same_as(now):
            return
        changes = []
        document_changed = before.digest != now.digest
        if document_changed:
            changes.append(_document_change(before, now))
        if before.target != now.target:
            changes.append(
                f"the redirects ended at {_where(before.target)}, now at {_where(now.target)}"
            )
        summary = f"changed since the last pass ({at:%Y-%m-%d %H:%M} UTC): " + "; ".join(changes)
        _warn(report, CheckId.CONFIG if document_changed else CheckId.REDIRECTS, summary)


def _warn(report: DomainReport, check_id: CheckId, summary: str) -> None:
    """Turn the first passing `check_id` check into the warning (keeping what it said), or,
    when that check already warns, add the warning beside it: its code must show, since a
    script alerts on it."""
    remedy = remedy_for(Code.CHANGED_SINCE_PASS)
    advice = Advice(remedy.problem, remedy.fix)
    for check in report.checks:
        if check.id == check_id and check.status == "pass":
            # With several model families each summary starts with its family: keep it.
            family, _, rest = check.summary.partition(": ")
            prefix = f"{family}: " if family in MODEL_FAMILIES else ""
            facts = rest if prefix else check.summary
            check.status, check.code, check.advice = "warn", Code.CHANGED_SINCE_PASS, advice
            check.summary = f"{prefix}{summary} ({facts})"
            return
    positions = [i for i, check in enumerate(report.checks) if check.id == check_id]
    at = positions[-1] + 1 if positions else len(report.checks)
    warning = Check(check_id, "warn", summary, Code.CHANGED_SINCE_PASS, advice=advice)
    report.checks.insert(at, warning)


def _document_change(before: Served, now: Served) -> str:
    if before.document is None or now.document is None:
        return "the document changed (too large to show the difference)"
    differences = _differences(before.parsed_document(), now.parsed_document(), "")
    if not differences:
        return "the document changed"
    shown = [
        f"{path or 'the document'} was {_value(old)}, now {_value(new)}"
        for path, old, new in differences[:MAX_DIFFERENCES]
    ]
    more = len(differences) - MAX_DIFFERENCES
    if more > 0:
        shown.append(f"{more} more difference{'s' if more > 1 else ''}")
    return "; ".join(shown)


_MISSING = object()


def _differences(old: Any, new: Any, path: str) -> list[tuple[str, Any, Any]]:
    """Each place the two JSON values differ, as (path, old, new), e.g.
    ("Servers[0].BaseURL", "https://a...", "https://b..."); a missing side is _MISSING."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in [*old, *(k for k in new if k not in old)]:
            here = f"{path}.{key}" if path else str(key)
            found += _differences(old.get(key, _MISSING), new.get(key, _MISSING), here)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found += _differences(a, b, f"{path}[{index}]")
        return found
    return [] if old == new and type(old) is type(new) else [(path, old, new)]


def _value(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    text = canonical_json(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _where(target: str | None) -> str:
    return "the domain itself (no redirect)" if target is None else target
