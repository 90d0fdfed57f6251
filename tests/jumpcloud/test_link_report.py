"""How far users' Managed Apple Accounts are linked: each category, the edges, the status,
and (hypothesis) that no string breaks it and the counts always agree."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.jumpcloud_state import HOSTILE_TEXTS
from wizard.core.jumpcloud.users import User, UserLinks, account_domain, link_report

DOMAINS = ["example.com", "xn--bcher-kva.example"]


def user(
    number: int,
    account: str = "",
    *,
    suspended: bool = False,
    state: str = "ACTIVATED",
    email: str | None = None,
) -> User:
    return User(
        id=f"65b2{number:020x}",
        email=email if email is not None else f"user{number}@example.com",
        username=f"user{number}",
        suspended=suspended,
        state=state,
        managed_apple_id=account,
    )


def names(refs: tuple[object, ...]) -> list[str]:
    return [ref.user_id[-2:] for ref in refs]  # type: ignore[attr-defined]


def test_every_active_user_linked_inside_the_domains_passes() -> None:
    users = [
        user(1, "ada@example.com"),
        user(2, "Bob@EXAMPLE.COM"),
        user(3, "cy@bücher.example"),  # the domain in its international form
        user(4, "", suspended=True),  # suspended users need no account
        user(5, "", state="SUSPENDED"),
    ]
    report = link_report(users, DOMAINS)
    assert report.counts() == {
        "active": 3,
        "linked": 3,
        "unlinked": 0,
        "outside_domains": 0,
        "duplicates": 0,
        "invalid": 0,
    }
    assert report.linked_inside == 3
    assert report.status() == "pass"


def test_staged_users_count_as_active() -> None:
    report = link_report([user(1, "a@example.com"), user(2, state="STAGED")], DOMAINS)
    assert (report.active, report.linked, names(report.unlinked)) == (2, 1, ["02"])
    assert report.status() == "warn"


def test_unlinked_outside_and_invalid_warn_with_their_users() -> None:
    users = [
        user(1, "ada@example.com"),
        user(2, "   "),  # blank is no account
        user(3, "bob@sub.example.com"),  # a subdomain is another domain to a device
        user(4, "cy@other.example"),
        user(5, "not an address"),
        user(6, "dee@example.com/path"),
        user(7, "@example.com"),
        user(8, "eve@@example.com"),
        user(9, "fay..x@example.com"),
    ]
    report = link_report(users, DOMAINS)
    assert names(report.unlinked) == ["02"]
    assert names(report.outside_domains) == ["03", "04"]
    assert names(report.invalid) == ["05", "06", "07", "08", "09"]
    assert (report.active, report.linked, report.linked_inside) == (9, 8, 1)
    assert report.status() == "warn"


def test_a_shared_account_fails_and_lists_every_holder_even_suspended() -> None:
    users = [
        user(1, "ada@example.com"),
        user(2, "ADA@example.com "),
        user(3, "ada@example.com", suspended=True),
        user(4, "bob@example.com"),
    ]
    report = link_report(users, DOMAINS)
    assert names(report.duplicates) == ["01", "02", "03"]
    assert report.status() == "fail"


def test_no_active_user_linked_fails() -> None:
    assert link_report([], DOMAINS).status() == "fail"
    assert link_report([user(1), user(2, "a@example.com", suspended=True)], DOMAINS).status() == (
        "fail"
    )


def test_json_has_the_counts_and_the_users_behind_each_problem() -> None:
    report = link_report([user(1, "a@other.example"), user(2)], DOMAINS)
    shape = report.to_json()
    assert shape == {
        "active": 2,
        "linked": 1,
        "unlinked": 1,
        "outside_domains": 1,
        "duplicates": 0,
        "invalid": 0,
        "lists": {
            "unlinked": [
                {"user_id": user(2).id, "email": "user2@example.com", "account": ""},
            ],
            "outside_domains": [
                {"user_id": user(1).id, "email": "user1@example.com", "account": "a@other.example"}
            ],
            "duplicates": [],
            "invalid": [],
        },
    }
    json.dumps(shape)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_accounts_and_emails_are_only_data(text: str) -> None:
    users = [user(1, f"{text}@example.com", email=text), user(2, text, email=f"{text}@x.example")]
    report = link_report(users, DOMAINS)
    refs = report.invalid + report.outside_domains + report.unlinked
    assert {ref.email for ref in refs} <= {text, f"{text}@x.example"}
    assert report.linked == 2


@pytest.mark.parametrize(
    ("account", "domain"),
    [
        ("ada@Example.COM", "example.com"),
        ("ada@bücher.example", "xn--bcher-kva.example"),
        ("a.b+c@example.com", "example.com"),
        ("ada@example.com.", "example.com"),
        ("ada@localhost", None),
        ("ada@127.0.0.1", None),
        ("ada@[::1]", None),
        ("ada@example.com:443", None),
        ("ada@example.com?x", None),
        ("ada example@example.com", None),
        ("<ada@example.com>", None),
        ("x" * 65 + "@example.com", None),
        ("ada@" + "a" * 64 + ".example", None),
        ("", None),
    ],
)
def test_what_counts_as_an_address(account: str, domain: str | None) -> None:
    assert account_domain(account) == domain


ACCOUNT_PARTS = st.sampled_from(
    ["", "@", "ada", "example.com", "EXAMPLE.com", "bücher.example", ".", " ", "\x1b[2J", "[b]"]
)
ACCOUNTS = st.one_of(
    st.text(max_size=1024),
    st.lists(ACCOUNT_PARTS, max_size=6).map("".join),
    st.just("x" * 1024),
)
USERS = st.lists(
    st.builds(
        User,
        id=st.text(min_size=1, max_size=30),
        email=st.text(max_size=60),
        username=st.text(max_size=20),
        suspended=st.booleans(),
        state=st.sampled_from(["ACTIVATED", "STAGED", "SUSPENDED", "", "weird"]),
        managed_apple_id=ACCOUNTS,
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(USERS, st.lists(st.sampled_from([*DOMAINS, "EXAMPLE.com", "not a domain", ""])))
def test_never_crashes_and_the_counts_agree(users: list[User], domains: list[str]) -> None:
    report: UserLinks = link_report(users, domains)
    counts = report.counts()
    active = [one for one in users if one.active]
    assert counts["active"] == len(active)
    assert counts["active"] == counts["linked"] + counts["unlinked"]
    assert counts["outside_domains"] + counts["invalid"] <= counts["linked"]
    assert report.linked_inside >= 0
    assert counts["duplicates"] != 1  # a duplicate is always two users or more
    assert report.status() in ("pass", "warn", "fail")
    if report.status() == "pass":
        assert report.linked_inside == counts["active"] > 0 and counts["duplicates"] == 0
    json.dumps(report.to_json())
