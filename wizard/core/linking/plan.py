"""A plan of Managed Apple Accounts: what would be written to which JumpCloud user, and why
each other user is left alone. Nothing is written to make one; `apply` and `undo` take it.

The plan's JSON is a public contract (`maid plan --json`, `--out FILE`):
`{"org_id", "api_url", "created_at", "items": [{"user_id", "email", "action", "before",
"after", "reason"}], "counts": {ACTION: N}}`, plus `plan_id` (its identity: a SHA-256 of
everything else, so the journal can tell plans apart and an edited plan is refused),
`setup`, `domains`, `source`, `options` and each item's CSV `line`.

A plan file read back is data from outside: `read_plan` validates it field by field
(pydantic), checks its identity and its counts, and turns anything wrong into one line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.regions import checked_api_url
from wizard.core.jumpcloud.users import account_domain
from wizard.core.linking.given_file import read_given_file
from wizard.core.shown import argument, printable

Action = Literal[
    "set", "unchanged", "conflict", "overwrite", "duplicate", "invalid", "unmatched", "suspended"
]
ACTIONS: tuple[Action, ...] = (
    "set",
    "unchanged",
    "conflict",
    "overwrite",
    "duplicate",
    "invalid",
    "unmatched",
    "suspended",
)
# The only actions `apply` writes.
WRITTEN: frozenset[Action] = frozenset(["set", "overwrite"])

# JumpCloud's `managedAppleId`, `email` and `username` are at most 1,024 characters.
MAX_VALUE = 1024
# 100,000 users of a few hundred bytes each, with room to spare.
MAX_PLAN_BYTES = 64 * 1024 * 1024
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class PlanItem(BaseModel):
    """One user (or one CSV row without a user): its action, its account now (`before`)
    and the one the plan gives it (`after`), and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = Field(pattern=ID_PATTERN)
    email: str | None = Field(max_length=MAX_VALUE)
    action: Action
    before: str | None = Field(max_length=MAX_VALUE)
    after: str | None = Field(max_length=MAX_VALUE)
    reason: str | None = Field(max_length=4 * MAX_VALUE)
    line: int | None = Field(default=None, ge=1)

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "line": self.line,
        }


class PlanSource(BaseModel):
    """Where the accounts came from: a CSV file (its name, the rows read, the rows that
    named a user but gave no account, left out) or the e-mail rule (the users considered,
    and those left out: no e-mail, or an e-mail outside the domains)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["csv", "same_as_email"]
    file: str | None = Field(default=None, max_length=4096)
    rows: int = Field(ge=0)
    left_out: int = Field(ge=0)


class PlanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    overwrite: bool = False
    include_suspended: bool = False


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    plan_id: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    setup: str | None = Field(max_length=128)
    org_id: str = Field(pattern=ID_PATTERN)
    api_url: str = Field(max_length=2048)
    created_at: str = Field(max_length=64)
    domains: list[str] = Field(max_length=1000)
    source: PlanSource
    options: PlanOptions
    items: list[PlanItem]
    counts: dict[Action, int]

    @field_validator("api_url")
    @classmethod
    def _https_base(cls, value: str) -> str:
        try:
            return checked_api_url(value, "api_url")
        except InvalidInput as error:
            raise ValueError(str(error)) from None

    @field_validator("created_at")
    @classmethod
    def _a_time(cls, value: str) -> str:
        datetime.fromisoformat(value)  # ValueError: not a time
        return value

    def writable(self) -> list[PlanItem]:
        """The items `apply` writes (`set`, `overwrite`), in the plan's order."""
        return [item for item in self.items if item.action in WRITTEN]

    def to_json(self) -> dict[str, Any]:
        """The plan's JSON object (what `--json` prints and `--out` writes)."""
        return {"plan_id": self.plan_id, **_content(self)}

    def dumps(self) -> str:
        # ensure_ascii: names and e-mails come from JumpCloud and the CSV; every control
        # character stays escaped in a terminal or a file.
        return json.dumps(self.to_json(), ensure_ascii=True, indent=1) + "\n"


def _content(plan: Plan) -> dict[str, Any]:
    return {
        "setup": plan.setup,
        "org_id": plan.org_id,
        "api_url": plan.api_url,
        "created_at": plan.created_at,
        "domains": list(plan.domains),
        "source": plan.source.model_dump(),
        "options": plan.options.model_dump(),
        "items": [item.to_json() for item in plan.items],
        "counts": dict(plan.counts),
    }


def count_actions(items: list[PlanItem]) -> dict[Action, int]:
    """Every action, in the documented order, with how many items have it (0 included)."""
    counted = Counter(item.action for item in items)
    return {action: counted[action] for action in ACTIONS}


def plan_identity(content: dict[str, Any]) -> str:
    """`sha256:` and the digest of the plan's content (everything but `plan_id`) written as
    canonical JSON: the same plan has the same identity wherever it is read."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def build_plan(
    *,
    setup: str | None,
    org_id: str,
    api_url: str,
    created_at: datetime,
    domains: list[str],
    source: PlanSource,
    options: PlanOptions,
    items: list[PlanItem],
) -> Plan:
    """The plan, with its counts and identity."""
    draft = Plan(
        plan_id="sha256:" + "0" * 64,
        setup=setup,
        org_id=org_id,
        api_url=api_url,
        created_at=created_at.isoformat(timespec="seconds"),
        domains=domains,
        source=source,
        options=options,
        items=items,
        counts=count_actions(items),
    )
    return draft.model_copy(update={"plan_id": plan_identity(_content(draft))})


def read_plan(path: Path) -> Plan:
    """The plan in `path`, checked; InvalidInput, one line, for anything else (a file that
    cannot be read, not a plan, an edited plan)."""
    shown = argument(str(path), 80)
    try:
        data = read_given_file(path, MAX_PLAN_BYTES)
    except OSError as error:
        raise InvalidInput(f"cannot read the plan {shown}: {error.strerror or error}") from None
    except ValueError as error:
        raise InvalidInput(f"cannot read the plan {shown}: {error}") from None
    return parse_plan(data, shown)


def parse_plan(data: bytes | str, shown: str = "file") -> Plan:
    """A plan from its JSON text (a file's, or the journal's); InvalidInput when it is not
    a plan this program made, unchanged since."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidInput(
            f"the plan {shown} is not JSON (make one with `maid plan --out`)"
        ) from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"the plan {shown} is not a plan: not a JSON object")
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "?"
        message = printable(str(first.get("msg", "invalid")))[:160]
        raise InvalidInput(f"the plan {shown} is not a plan: {where}: {message}") from None
    content = {key: value for key, value in raw.items() if key != "plan_id"}
    if plan_identity(content) != plan.plan_id:
        raise InvalidInput(
            f"the plan {shown} was changed after it was made (its plan_id does not match its "
            "content); make a new one with `maid plan`"
        )
    _check_items(plan, shown)
    return plan


def _check_items(plan: Plan, shown: str) -> None:
    """What the schema cannot say: counts that add up, each user once, and every item to
    write naming a user, what it holds and an e-mail address."""
    if dict(plan.counts) != count_actions(plan.items):
        raise InvalidInput(f"the plan {shown} is not a plan: its counts do not match its items")
    users = [item.user_id for item in plan.items if item.user_id is not None]
    if len(users) != len(set(users)):
        raise InvalidInput(f"the plan {shown} is not a plan: a user appears twice in it")
    for number, item in enumerate(plan.items, 1):
        if item.action not in WRITTEN:
            continue
        if item.user_id is None or item.before is None or item.after is None:
            raise InvalidInput(
                f"the plan {shown} is not a plan: item {number} ({item.action}) lacks its "
                "user_id, before or after"
            )
        if account_domain(item.after) is None:
            raise InvalidInput(
                f"the plan {shown} is not a plan: item {number} would write "
                f"{argument(item.after, 80)}, which is not an e-mail address"
            )
