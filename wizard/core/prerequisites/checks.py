"""The result of `prereqs`: one check per prerequisite (per domain where it is about one),
each with a stable id and a status, and the report that holds them.

The ids, statuses and JSON fields are public contract (`prereqs --json`): scripts read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

PrereqStatus = Literal["pass", "warn", "fail", "skip", "manual"]
STATUSES: tuple[PrereqStatus, ...] = ("pass", "warn", "fail", "skip", "manual")


@dataclass(frozen=True)
class PrereqCheck:
    """One prerequisite as checked: `skip` when it does not apply or needs what was not
    given (the summary says what), `manual` when only the admin can confirm it (the remedy
    says where to look). `code` is a failure or warning code, or None; `domain` is None for
    a check about the whole organization."""

    id: str
    status: PrereqStatus
    summary: str
    remedy: str | None = None
    code: str | None = None
    domain: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "code": self.code,
            "summary": self.summary,
            "remedy": self.remedy,
            "domain": self.domain,
        }


@dataclass(frozen=True)
class PrereqReport:
    """Everything one `prereqs` run found. `users` holds the account-linking counts (and
    the users behind them) when JumpCloud's users were read, else None."""

    setup: str | None
    mdm: str
    org_id: str | None
    domains: tuple[str, ...]
    checks: tuple[PrereqCheck, ...]
    users: dict[str, Any] | None = None
    conditions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return any(check.status == "fail" for check in self.checks)

    def counts(self) -> dict[PrereqStatus, int]:
        return {status: sum(c.status == status for c in self.checks) for status in STATUSES}

    def check(self, check_id: str, domain: str | None = None) -> PrereqCheck | None:
        return next(
            (c for c in self.checks if c.id == check_id and c.domain == domain),
            None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "setup": self.setup,
            "mdm": self.mdm,
            "org_id": self.org_id,
            "domains": list(self.domains),
            "checks": [check.to_json() for check in self.checks],
            "users": self.users,
            "conditions": list(self.conditions),
        }


def skipped(ids: Sequence[str], summary: str, remedy: str | None = None) -> list[PrereqCheck]:
    """The same `skip` for several checks that need one missing thing (an API key...)."""
    return [PrereqCheck(check_id, "skip", summary, remedy) for check_id in ids]
