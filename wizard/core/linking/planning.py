"""Deciding, user by user, what a plan does: pure functions over JumpCloud's users and the
accounts wanted for them (from a CSV, or each user's own e-mail).

The order of the questions asked of each user is the order of the actions' precedence:
an account that cannot be used (`invalid`) before a suspended user (`suspended`), before
one that holds it already (`unchanged`), before one that another user holds or is also
planned for (`duplicate`, every user involved), before writing (`set`, or `overwrite` /
`conflict` when another account is there). Accounts are compared case-insensitively, as
Apple treats them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from wizard.core.jumpcloud.users import User, account_domain
from wizard.core.linking.csv_source import CsvAccounts
from wizard.core.linking.plan import Plan, PlanItem, PlanOptions, PlanSource, build_plan

# How many other users a duplicate's reason names.
NAMED = 3


@dataclass(frozen=True)
class Wanted:
    """An account wanted for a user: `user` None when the row found none (`key` then says
    what was looked for); `problem` when the row cannot be used at all."""

    line: int | None
    user: User | None
    key: str
    account: str
    problem: str | None = None


@dataclass(frozen=True)
class Where:
    """What a plan is made for: the setup, JumpCloud's organization and API, and the
    domains the accounts must be in."""

    setup: str | None
    org_id: str
    api_url: str
    domains: Sequence[str]


def wanted_from_csv(source: CsvAccounts, users: Sequence[User]) -> list[Wanted]:
    """Each CSV row matched to its user by e-mail (else username), case-insensitively."""
    by_email: dict[str, list[User]] = defaultdict(list)
    by_username: dict[str, list[User]] = defaultdict(list)
    for user in users:
        if user.email.strip():
            by_email[user.email.strip().casefold()].append(user)
        if user.username.strip():
            by_username[user.username.strip().casefold()].append(user)
    wanted = []
    for row in source.rows:
        key = row.email or row.username
        if row.problem is not None:
            wanted.append(Wanted(row.line, None, key, row.account, row.problem))
            continue
        found = by_email.get(row.email.casefold(), []) if row.email else []
        if not found and row.username:
            found = by_username.get(row.username.casefold(), [])
            key = row.username if not row.email else key
        if len(found) > 1:
            problem = f"{_what(row.email, row.username)} matches {len(found)} JumpCloud users"
            wanted.append(Wanted(row.line, None, key, row.account, problem))
        else:
            wanted.append(Wanted(row.line, found[0] if found else None, key, row.account))
    return wanted


def wanted_from_emails(users: Sequence[User], domains: Iterable[str]) -> tuple[list[Wanted], int]:
    """Each user whose e-mail is in one of `domains` wants that e-mail as their account
    (federated Managed Apple Accounts); with how many users were left out (no e-mail, or
    one outside the domains)."""
    inside = {domain.casefold() for domain in domains}
    wanted, left_out = [], 0
    for user in sorted(users, key=lambda user: (user.email.casefold(), user.id)):
        email = user.email.strip()
        domain = account_domain(email) if email else None
        if domain is None or domain not in inside:
            left_out += 1
            continue
        wanted.append(Wanted(None, user, email, email))
    return wanted, left_out


def make_plan(
    wanted: Sequence[Wanted],
    users: Sequence[User],
    where: Where,
    source: PlanSource,
    options: PlanOptions,
    created_at: datetime,
) -> Plan:
    items: list[PlanItem] = []
    candidates: list[tuple[Wanted, User]] = []
    for want in wanted:
        if want.problem is not None:
            items.append(_item(want, "invalid", want.problem))
        elif want.user is None:
            items.append(_item(want, "unmatched", f"no JumpCloud user {_found_by(want)}"))
        else:
            candidates.append((want, want.user))
    items += _decide(_one_per_user(candidates, items), users, where.domains, options)
    # A CSV's items in the order of its lines (the e-mail rule's have none: by e-mail).
    items.sort(key=lambda item: item.line or 0)
    return build_plan(
        setup=where.setup,
        org_id=where.org_id,
        api_url=where.api_url,
        created_at=created_at,
        domains=list(where.domains),
        source=source,
        options=options,
        items=items,
    )


def _one_per_user(
    candidates: list[tuple[Wanted, User]], items: list[PlanItem]
) -> list[tuple[Wanted, User]]:
    """One candidate per user: rows repeating the same account are one; rows giving a user
    different accounts make that user `invalid` (the lines named)."""
    by_user: dict[str, list[Wanted]] = defaultdict(list)
    for want, user in candidates:
        by_user[user.id].append(want)
    chosen = []
    for want, user in candidates:
        rows = by_user.get(user.id)
        if rows is None:
            continue  # decided with its first row
        del by_user[user.id]
        accounts = {row.account.casefold() for row in rows}
        if len(accounts) == 1:
            chosen.append((want, user))
            continue
        lines = ", ".join(str(row.line) for row in rows if row.line is not None)
        reason = f"the CSV gives this user {len(accounts)} different accounts (lines {lines})"
        items.append(_item(want, "invalid", reason, user=user, after=None))
    return chosen


def _decide(
    candidates: list[tuple[Wanted, User]],
    users: Sequence[User],
    domains: Sequence[str],
    options: PlanOptions,
) -> list[PlanItem]:
    inside = {domain.casefold() for domain in domains}
    holders: dict[str, list[User]] = defaultdict(list)
    for user in users:
        if user.account:
            holders[user.account.casefold()].append(user)
    decided: dict[int, PlanItem] = {}
    contenders: list[tuple[int, Wanted, User]] = []
    for index, (want, user) in enumerate(candidates):
        account = want.account
        domain = account_domain(account)
        if domain is None:
            reason = "not an e-mail address"
            decided[index] = _item(want, "invalid", reason, user=user)
        elif domain not in inside:
            reason = f"its domain {domain} is none of the setup's ({', '.join(sorted(inside))})"
            decided[index] = _item(want, "invalid", reason, user=user)
        elif not user.active and not options.include_suspended:
            reason = "suspended in JumpCloud: skipped (plan --include-suspended to include it)"
            decided[index] = _item(want, "suspended", reason, user=user)
        elif user.account.casefold() == account.casefold():
            decided[index] = _item(want, "unchanged", "already holds this account", user=user)
        elif others := [other for other in holders[account.casefold()] if other.id != user.id]:
            reason = f"already on another user: {_users(others)}; all of them skipped"
            decided[index] = _item(want, "duplicate", reason, user=user)
        else:
            contenders.append((index, want, user))
    planned: dict[str, list[User]] = defaultdict(list)
    for _, want, user in contenders:
        planned[want.account.casefold()].append(user)
    for index, want, user in contenders:
        others = [other for other in planned[want.account.casefold()] if other.id != user.id]
        if others:
            reason = f"also planned for {_users(others)}; all of them skipped"
            decided[index] = _item(want, "duplicate", reason, user=user)
        elif not user.account:
            decided[index] = _item(want, "set", "no Managed Apple Account yet", user=user)
        elif options.overwrite:
            reason = "replaces the account it holds (plan --overwrite)"
            decided[index] = _item(want, "overwrite", reason, user=user)
        else:
            reason = "holds another account: skipped (plan --overwrite to replace it)"
            decided[index] = _item(want, "conflict", reason, user=user)
    return [decided[index] for index in range(len(candidates))]


def _item(
    want: Wanted,
    action: str,
    reason: str,
    *,
    user: User | None = None,
    after: str | None = "",
) -> PlanItem:
    where = f"line {want.line}: " if want.line is not None and user is None else ""
    return PlanItem.model_validate(
        {
            "user_id": user.id if user else None,
            "email": user.email if user else (want.key if "@" in want.key else None),
            "action": action,
            "before": user.managed_apple_id if user else None,
            "after": (want.account or None) if after == "" else after,
            "reason": where + reason,
            "line": want.line,
        }
    )


def _found_by(want: Wanted) -> str:
    if "@" in want.key:
        return f"with the e-mail {want.key!r}"
    return f"with the username {want.key!r}" if want.key else "named"


def _what(email: str, username: str) -> str:
    return f"the e-mail {email!r}" if email else f"the username {username!r}"


def _users(users: list[User]) -> str:
    named = ", ".join(user.email or user.id for user in users[:NAMED])
    more = len(users) - NAMED
    return named + (f" and {more} more" if more > 0 else "")
