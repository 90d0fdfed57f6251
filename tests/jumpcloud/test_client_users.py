"""Reading every user in pages of 100: the exact requests, at most 4 in flight, a list that
changes meanwhile refused rather than returned wrong; one user read and written."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import (
    JumpCloudStandIn,
    JumpCloudState,
    StartStandIn,
    hostile_users,
    make_user,
    make_users,
)
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind
from wizard.core.jumpcloud.secret import ApiKey

KEY = "users-key-0123456789abcdef"
USERS_PATH = "/api/systemusers"
FIELDS = "_id%20email%20username%20suspended%20state%20managedAppleId"


def client(standin: JumpCloudStandIn, timeout: float = 30) -> JumpCloudClient:
    return JumpCloudClient(standin.base_url, ApiKey(KEY), timeout=timeout, retry_base=0.01)


def user_list_targets(standin: JumpCloudStandIn) -> list[str]:
    return [request.target for request in standin.requests if request.path == USERS_PATH]


@pytest.mark.parametrize("count", [0, 1, 100, 101, 250, 10_000])
async def test_every_user_in_exactly_ceil_total_over_100_requests(
    count: int, start_standin: StartStandIn, trusted: Path
) -> None:
    users = make_users(count, ORG_ID, apple_id_domain="example.com")
    state = JumpCloudState.single(users, key=KEY, org_id=ORG_ID)
    state.latency = 0.005  # long enough for requests to overlap
    standin = start_standin(state)
    async with client(standin) as jumpcloud:
        await jumpcloud.connect()
        listed = await jumpcloud.users()
    assert [user.id for user in listed] == sorted(user["_id"] for user in users)
    assert [user.managed_apple_id for user in listed[:1]] == [
        user["managedAppleId"] for user in users[:1]
    ]
    targets = user_list_targets(standin)
    assert len(targets) == max(1, math.ceil(count / 100))
    assert targets[0] == f"{USERS_PATH}?limit=100&skip=0&sort=_id&fields={FIELDS}"
    skips = sorted(int(parse_qs(urlsplit(target).query)["skip"][0]) for target in targets)
    assert skips == list(range(0, max(count, 1), 100))
    assert standin.peak_in_flight <= 4
    if count == 10_000:
        assert standin.peak_in_flight == 4  # the pages after the first go side by side


async def test_fields_asked_for_are_sent_with_the_id(
    start_standin: StartStandIn, trusted: Path
) -> None:
    standin = start_standin(JumpCloudState.single(2, key=KEY, org_id=ORG_ID))
    async with client(standin) as jumpcloud:
        listed = await jumpcloud.users(fields=["email"])
    assert user_list_targets(standin) == [
        f"{USERS_PATH}?limit=100&skip=0&sort=_id&fields=_id%20email"
    ]
    assert [user.username for user in listed] == ["", ""]  # not asked for, not sent


async def test_a_server_page_smaller_than_asked_is_followed(
    start_standin: StartStandIn, trusted: Path
) -> None:
    state = JumpCloudState.single(101, key=KEY, org_id=ORG_ID)
    state.max_limit = 40  # the document states no maximum for /systemusers
    standin = start_standin(state)
    async with client(standin) as jumpcloud:
        listed = await jumpcloud.users()
    assert len({user.id for user in listed}) == 101
    assert len(user_list_targets(standin)) == 3


@pytest.mark.parametrize("change", ["added", "removed"])
async def test_a_list_that_changes_between_pages_is_refused(
    change: str, start_standin: StartStandIn, trusted: Path
) -> None:
    state = JumpCloudState.single(250, key=KEY, org_id=ORG_ID)
    state.latency = 0.3
    standin = start_standin(state)
    users = state.organizations[0].users

    async def change_when_the_later_pages_are_asked() -> None:
        while standin.count("GET", USERS_PATH) < 2:
            await asyncio.sleep(0.005)
        if change == "added":
            users.append(make_user(5000, ORG_ID))
        else:
            users.pop(0)

    async with client(standin) as jumpcloud:
        changer = asyncio.create_task(change_when_the_later_pages_are_asked())
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()
        await changer
    assert raised.value.kind is ErrorKind.CHANGED
    total = 251 if change == "added" else 249
    assert str(raised.value) == (
        f"GET /api/systemusers: the list changed while it was read in pages (it counted 250, "
        f"then {total}); run it again"
    )


async def test_an_id_seen_twice_is_refused(start_standin: StartStandIn, trusted: Path) -> None:
    users = make_users(150, ORG_ID)
    users[120]["_id"] = users[5]["_id"]
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_ID))
    async with client(standin) as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()
    assert raised.value.kind is ErrorKind.CHANGED
    assert "a record came twice" in str(raised.value)


async def test_hostile_names_and_emails_come_back_as_data(
    start_standin: StartStandIn, trusted: Path
) -> None:
    users = hostile_users(ORG_ID)
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_ID))
    async with client(standin) as jumpcloud:
        listed = await jumpcloud.users()
    by_id = {user["_id"]: user for user in users}
    for user in listed:
        assert user.email == by_id[user.id]["email"]
        assert user.username == by_id[user.id]["username"]
        assert user.managed_apple_id == by_id[user.id]["managedAppleId"]


async def test_a_user_of_the_wrong_shape_is_a_bad_answer(
    start_standin: StartStandIn, trusted: Path
) -> None:
    users = make_users(3, ORG_ID)
    users[1]["suspended"] = "no"
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_ID))
    async with client(standin) as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()
    assert raised.value.kind is ErrorKind.BAD_ANSWER
    assert str(raised.value) == (
        "GET /api/systemusers: the answer is not what JumpCloud's API documents (`suspended` is "
        "not true or false)"
    )


async def test_get_and_put_one_user(start_standin: StartStandIn, trusted: Path) -> None:
    state = JumpCloudState.single(3, key=KEY, org_id=ORG_ID)
    standin = start_standin(state)
    user_id = state.organizations[0].users[1]["_id"]
    async with client(standin) as jumpcloud:
        await jumpcloud.connect()
        before = await jumpcloud.get_user(user_id, ["email", "managedAppleId"])
        after = await jumpcloud.put_user(user_id, {"managedAppleId": "user00001@example.com"})
        with pytest.raises(ApiError) as refused:
            await jumpcloud.put_user(user_id, {"managedAppleId": "x" * 1025})
        with pytest.raises(ApiError) as unknown:
            await jumpcloud.get_user("65b2ffffffffffffffffffff")
    assert before == {"_id": user_id, "email": "user00001@example.com"}
    assert after["managedAppleId"] == "user00001@example.com" and after["_id"] == user_id
    assert [(write.body, write.status) for write in standin.writes] == [
        ({"managedAppleId": "user00001@example.com"}, 200),
        ({"managedAppleId": "x" * 1025}, 400),
    ]
    assert refused.value.kind is ErrorKind.HTTP_ERROR and refused.value.status == 400
    assert str(refused.value) == (
        f'PUT /api/systemusers/{user_id}: 400 Bad Request; JumpCloud says "managedAppleId: '
        'longer than 1024 characters"'
    )
    assert unknown.value.kind is ErrorKind.NOT_FOUND
