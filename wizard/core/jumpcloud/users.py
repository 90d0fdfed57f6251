"""JumpCloud's users, and how far their Managed Apple Accounts are linked: pure functions.

A user enrolls a personal device by signing in with the Managed Apple Account JumpCloud has
for them (`managedAppleId`); the device then asks that account's domain for the discovery
document. So an active user needs an account, in one of the setup's domains, that no other
user has. Names, e-mails and accounts are data from JumpCloud: nothing here interprets or
shows them, and no string can make these functions fail.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wizard.core.domains import InvalidInput, normalise_domain

# The `systemuserreturn` fields the link report needs (JumpCloud v1 OpenAPI document).
USER_FIELDS = ("_id", "email", "username", "suspended", "state", "managedAppleId")
SUSPENDED_STATE = "SUSPENDED"

# The local part of an address as people and Apple accept it: no spaces, no characters that
# only quoted local parts allow, no leading, trailing or doubled dot; 64 characters at most.
_LOCAL_PART = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}")
# What may be in a domain before IDNA decides: no URL punctuation (which normalise_domain
# would otherwise cut away, accepting `a@example.com/path`).
_DOMAIN_PART = re.compile(r"[^\s@/\\:?#\[\]<>%]+")


@dataclass(frozen=True)
class User:
    """One JumpCloud user, as far as linking needs it. Absent strings are ""."""

    id: str
    email: str
    username: str
    suspended: bool
    state: str
    managed_apple_id: str

    @property
    def active(self) -> bool:
        """Not suspended: `suspended` true or state SUSPENDED both mean suspended; a STAGED
        user (not yet activated) counts as active, since they will sign in soon."""
        return not (self.suspended or self.state == SUSPENDED_STATE)

    @property
    def account(self) -> str:
        """The Managed Apple Account, without surrounding spaces ("" when none)."""
        return self.managed_apple_id.strip()

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> User:
        """From a `systemuserreturn` object; raises ValueError (naming the field, not its
        value) when a field has the wrong type. `_id` is required; the rest may be absent
        or null."""
        user_id = record.get("_id")
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("a user without an `_id` string")
        suspended = record.get("suspended")
        if suspended is not None and not isinstance(suspended, bool):
            raise ValueError("`suspended` is not true or false")
        return cls(
            id=user_id,
            email=_string(record, "email"),
            username=_string(record, "username"),
            suspended=bool(suspended),
            state=_string(record, "state"),
            managed_apple_id=_string(record, "managedAppleId"),
        )


def _string(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"`{name}` is not a string")
    return value


@dataclass(frozen=True)
class UserRef:
    """A user named in a report: their id, e-mail and Managed Apple Account (data)."""

    user_id: str
    email: str
    account: str

    def to_json(self) -> dict[str, str]:
        return {"user_id": self.user_id, "email": self.email, "account": self.account}


LinkStatus = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class UserLinks:
    """How the users' Managed Apple Accounts stand against the setup's domains.

    `active` and `linked` are counts; the other four are the users behind each problem:
    `unlinked` (active, no account), `outside_domains` (linked to an account whose domain is
    none of the setup's: their device asks another domain), `invalid` (linked to something
    that is not an e-mail address), `duplicates` (an account also on another user, suspended
    users included: every user of such an account is listed).
    """

    active: int
    linked: int
    unlinked: tuple[UserRef, ...]
    outside_domains: tuple[UserRef, ...]
    duplicates: tuple[UserRef, ...]
    invalid: tuple[UserRef, ...]

    @property
    def linked_inside(self) -> int:
        """Active users linked to a valid account in one of the domains."""
        return self.linked - len(self.outside_domains) - len(self.invalid)

    def status(self) -> LinkStatus:
        """fail: no active user linked, or an account on two users (both would enroll into
        one Managed Apple Account); pass: every active user linked inside the domains;
        warn: some are not."""
        if self.linked == 0 or self.duplicates:
            return "fail"
        if self.unlinked or self.outside_domains or self.invalid:
            return "warn"
        return "pass"

    def counts(self) -> dict[str, int]:
        return {
            "active": self.active,
            "linked": self.linked,
            "unlinked": len(self.unlinked),
            "outside_domains": len(self.outside_domains),
            "duplicates": len(self.duplicates),
            "invalid": len(self.invalid),
        }

    def to_json(self) -> dict[str, Any]:
        """The counts, and under `lists` the users behind each problem."""
        lists = {
            "unlinked": self.unlinked,
            "outside_domains": self.outside_domains,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
        }
        return {
            **self.counts(),
            "lists": {name: [ref.to_json() for ref in refs] for name, refs in lists.items()},
        }


def link_report(users: Iterable[User], domains: Iterable[str]) -> UserLinks:
    """How `users`' accounts stand against `domains` (host names as `normalise_domain`
    gives them; compared case-insensitively, international names in their ASCII form)."""
    wanted = {_domain_key(domain) for domain in domains}
    everyone = list(users)
    active = [user for user in everyone if user.active]
    linked = [user for user in active if user.account]
    unlinked, outside, invalid = [], [], []
    for user in active:
        if not user.account:
            unlinked.append(_ref(user))
            continue
        domain = account_domain(user.account)
        if domain is None:
            invalid.append(_ref(user))
        elif domain not in wanted:
            outside.append(_ref(user))
    holders: dict[str, list[User]] = defaultdict(list)
    for user in everyone:
        if user.account:
            holders[user.account.casefold()].append(user)
    duplicates = [_ref(user) for group in holders.values() if len(group) > 1 for user in group]
    return UserLinks(
        active=len(active),
        linked=len(linked),
        unlinked=_sorted(unlinked),
        outside_domains=_sorted(outside),
        duplicates=tuple(sorted(duplicates, key=lambda ref: (ref.account.casefold(), ref.user_id))),
        invalid=_sorted(invalid),
    )


def account_domain(account: str) -> str | None:
    """The domain a device would ask for `account` (lower-case ASCII), or None when the
    account is not an e-mail address."""
    local, at, domain = account.strip().rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or not _DOMAIN_PART.fullmatch(domain):
        return None
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    try:
        return normalise_domain(domain)
    except InvalidInput:
        return None


def _domain_key(domain: str) -> str:
    try:
        return normalise_domain(domain)
    except InvalidInput:
        return domain.strip().lower()


def _ref(user: User) -> UserRef:
    return UserRef(user.id, user.email, user.account)


def _sorted(refs: list[UserRef]) -> tuple[UserRef, ...]:
    return tuple(sorted(refs, key=lambda ref: (ref.email.casefold(), ref.user_id)))
