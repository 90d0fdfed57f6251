"""When JumpCloud refuses, limits, fails or misbehaves: a refused key, 429 with Retry-After,
503 retried at most 4 times, writes not repeated, stalls, huge, endless, compressed and
malformed answers. Each ends as one classified line within the time allowed."""

from __future__ import annotations

import email.utils
import gzip
import json
import ssl
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from tests.support.constants import ORG_ID
from tests.support.https_server import HTTPSServer, respond
from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState, StartStandIn
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind
from wizard.core.jumpcloud.secret import ApiKey

KEY = "faults-key-0123456789abcdef"
USERS = "/api/systemusers"
MEBIBYTE = 1024 * 1024


def client(base: JumpCloudStandIn | str, key: str = KEY, timeout: float = 10) -> JumpCloudClient:
    url = base.base_url if isinstance(base, JumpCloudStandIn) else base
    return JumpCloudClient(url, ApiKey(key), timeout=timeout, retry_base=0.05)


@pytest.fixture
def standin(start_standin: StartStandIn, trusted: Path) -> JumpCloudStandIn:
    return start_standin(JumpCloudState.single(5, key=KEY, org_id=ORG_ID))


async def list_users(standin: JumpCloudStandIn, timeout: float = 10) -> int:
    async with client(standin, timeout=timeout) as jumpcloud:
        return len(await jumpcloud.users())


async def failure(standin: JumpCloudStandIn, timeout: float = 10) -> tuple[ApiError, float]:
    """The error listing users ends with, and how long it took."""
    started = time.monotonic()
    with pytest.raises(ApiError) as raised:
        await list_users(standin, timeout)
    return raised.value, time.monotonic() - started


async def test_a_refused_key_is_key_refused_with_what_jumpcloud_said(
    standin: JumpCloudStandIn,
) -> None:
    async with client(standin, key="not-the-key-000") as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.connect()
    error = raised.value
    assert (error.kind, error.status, error.key_refused) == (ErrorKind.KEY_REFUSED, 401, True)
    assert error.jumpcloud_message == "Unauthorized"
    assert error.request == "GET /api/organizations"
    assert str(error) == (
        'GET /api/organizations: 401 Unauthorized; JumpCloud says "Unauthorized". 127.0.0.1 '
        "did not accept the API key: check it (a key works only in its own region: us, eu or in)"
    )


async def test_a_key_echoed_back_shows_as_stars(standin: JumpCloudStandIn) -> None:
    standin.state.echo_key_in_errors = True
    wrong = "wrong/key+0123456789"
    async with client(standin, key=wrong) as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()
    assert raised.value.jumpcloud_message == "Unauthorized (x-api-key: ***)"
    assert wrong not in str(raised.value) and wrong not in repr(raised.value)


async def test_429_waits_as_retry_after_says_then_succeeds(standin: JumpCloudStandIn) -> None:
    standin.rate_limit(1, retry_after=1, path=USERS)
    started = time.monotonic()
    assert await list_users(standin) == 5
    assert time.monotonic() - started >= 1
    assert standin.count("GET", USERS) == 2


async def test_429_with_an_http_date(standin: JumpCloudStandIn) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    standin.rate_limit(1, retry_after=when, path=USERS)
    started = time.monotonic()
    assert await list_users(standin) == 5
    assert 0.9 <= time.monotonic() - started < 3.5  # the date has whole seconds


async def test_429_without_retry_after_backs_off_briefly(standin: JumpCloudStandIn) -> None:
    standin.fail(429, 3, path=USERS)
    assert await list_users(standin) == 5
    assert standin.count("GET", USERS) == 4


async def test_429_asking_to_wait_past_the_deadline_fails_at_once(
    standin: JumpCloudStandIn,
) -> None:
    standin.rate_limit(1, retry_after=120, path=USERS)
    error, elapsed = await failure(standin, timeout=5)
    assert elapsed < 1
    assert (error.kind, error.status, error.retry_after) == (ErrorKind.RATE_LIMITED, 429, 120)
    assert str(error).startswith(
        "GET /api/systemusers: JumpCloud is rate limiting the requests (429 Too Many Requests) "
        "and asked to wait 120 s; "
    )
    assert str(error).endswith(
        ' s were left of the 5 s allowed; JumpCloud says "Too Many Requests"'
    )


async def test_503_is_retried_then_succeeds(standin: JumpCloudStandIn) -> None:
    standin.unavailable(3, path=USERS)
    assert await list_users(standin) == 5
    assert standin.count("GET", USERS) == 4


async def test_503_five_times_fails_after_four_tries(standin: JumpCloudStandIn) -> None:
    standin.unavailable(5, path=USERS)
    error, elapsed = await failure(standin)
    assert standin.count("GET", USERS) == 4
    assert elapsed < 2
    assert error.kind is ErrorKind.UNAVAILABLE
    assert str(error) == (
        'GET /api/systemusers: 503 Service Unavailable (4 tries); JumpCloud says "Service '
        'Unavailable"'
    )


async def test_503_retries_stop_at_the_deadline(standin: JumpCloudStandIn) -> None:
    standin.unavailable(5, path=USERS, retry_after=3)
    error, elapsed = await failure(standin, timeout=2)
    assert elapsed < 1 and standin.count("GET", USERS) == 1
    assert "(1 try, no time left for another within 2 s)" in str(error)


async def test_a_write_is_not_repeated_on_503_unless_asked(standin: JumpCloudStandIn) -> None:
    user_id = standin.state.organizations[0].users[0]["_id"]
    standin.unavailable(1, path=f"{USERS}/")
    async with client(standin) as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.put_user(user_id, {"managedAppleId": "a@example.com"})
        assert raised.value.kind is ErrorKind.UNAVAILABLE
        assert standin.count("PUT", f"{USERS}/{user_id}") == 1
        standin.unavailable(1, path=f"{USERS}/")
        written = await jumpcloud.put_user(
            user_id, {"managedAppleId": "a@example.com"}, retry_writes=True
        )
        standin.rate_limit(1, retry_after=0, path=f"{USERS}/")
        again = await jumpcloud.put_user(user_id, {"managedAppleId": "b@example.com"})
    assert (written["managedAppleId"], again["managedAppleId"]) == (
        "a@example.com",
        "b@example.com",
    )
    assert standin.count("PUT", f"{USERS}/{user_id}") == 5
    assert [write.status for write in standin.writes] == [200, 200]  # faults are not writes


@pytest.mark.parametrize("send_headers", [True, False])
async def test_a_stall_ends_at_the_deadline(standin: JumpCloudStandIn, send_headers: bool) -> None:
    standin.stall(path=USERS, send_headers=send_headers)
    error, elapsed = await failure(standin, timeout=1)
    assert 0.9 <= elapsed < 2
    assert error.kind is ErrorKind.TIMEOUT
    assert (
        str(error) == "GET /api/systemusers: no answer within the 1 s allowed for JumpCloud's API"
    )


async def test_the_deadline_covers_the_whole_run(standin: JumpCloudStandIn) -> None:
    standin.state.latency = 0.6
    started = time.monotonic()
    async with client(standin, timeout=1) as jumpcloud:
        await jumpcloud.connect()  # 0.6 s of the 1 s
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()  # would end at 1.2 s
    assert time.monotonic() - started < 1.4
    assert raised.value.kind is ErrorKind.TIMEOUT


async def test_a_request_timeout_bounds_each_exchange_of_a_long_run(
    standin: JumpCloudStandIn,
) -> None:
    """A long run (hours of writes) bounds each request, not the run: a stalled answer ends
    after `request_timeout`, while slow answers one after another outlast it together."""
    standin.state.latency = 0.3
    key = ApiKey(KEY)
    async with JumpCloudClient(
        standin.base_url, key, timeout=3600, request_timeout=0.5, retry_base=0.05
    ) as jumpcloud:
        started = time.monotonic()
        for _ in range(3):  # 0.9 s in all, each within its 0.5 s
            await jumpcloud.get_user(standin.state.organizations[0].users[0]["_id"])
        assert time.monotonic() - started > 0.85
        standin.stall(path=USERS)
        started = time.monotonic()
        with pytest.raises(ApiError) as raised:
            await jumpcloud.users()
        elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.5
    assert raised.value.kind is ErrorKind.TIMEOUT
    assert str(raised.value) == (
        "GET /api/systemusers: no answer within the 0.5 s allowed for JumpCloud's API"
    )


async def test_a_huge_answer_is_refused_from_its_length(standin: JumpCloudStandIn) -> None:
    standin.huge(50 * MEBIBYTE, path=USERS)
    error, elapsed = await failure(standin)
    assert elapsed < 1
    assert error.kind is ErrorKind.TOO_LARGE
    assert str(error) == (
        "GET /api/systemusers: the answer is too large (52,428,800 bytes); at most 4,194,304 "
        "bytes are read"
    )


async def test_an_endless_answer_stops_at_the_limit(standin: JumpCloudStandIn) -> None:
    standin.endless(path=USERS)
    error, elapsed = await failure(standin)
    assert elapsed < 5
    assert error.kind is ErrorKind.TOO_LARGE
    assert str(error) == (
        "GET /api/systemusers: the answer is too large; at most 4,194,304 bytes are read"
    )


async def test_a_malformed_answer_is_a_bad_answer(standin: JumpCloudStandIn) -> None:
    standin.malformed(path=USERS)
    error, _ = await failure(standin)
    assert error.kind is ErrorKind.BAD_ANSWER
    assert str(error) == "GET /api/systemusers: the answer (200, 61 bytes) is not JSON"


@pytest.fixture
def loopback_server(
    start_server: Callable[[ssl.SSLContext], HTTPSServer], ca: trustme.CA, trusted: Path
) -> HTTPSServer:
    """A server whose every byte the test writes, for answers the stand-in never sends."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return start_server(context)


def organizations(count: int = 1) -> bytes:
    results = [{"_id": f"5f1b{n:020x}", "displayName": f"Org {n}"} for n in range(count)]
    return json.dumps({"totalCount": count, "results": results}).encode()


async def test_a_gzip_answer_is_read_and_a_gzip_bomb_is_refused(
    loopback_server: HTTPSServer,
) -> None:
    gzipped = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    loopback_server.route(
        "/ok/organizations", respond(200, gzip.compress(organizations(3)), gzipped)
    )
    bomb = gzip.compress(b'{"totalCount": 1, "results": ["' + b"x" * (64 * MEBIBYTE))
    loopback_server.route("/bomb/organizations", respond(200, bomb, gzipped))
    base = f"https://127.0.0.1:{loopback_server.port}"
    async with client(f"{base}/ok") as jumpcloud:
        assert len(await jumpcloud.organizations()) == 3
    assert len(bomb) < 100_000
    started = time.monotonic()
    async with client(f"{base}/bomb") as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.organizations()
    assert time.monotonic() - started < 1
    assert raised.value.kind is ErrorKind.TOO_LARGE
    assert loopback_server.requests[0].headers.get("accept-encoding") == "gzip"


async def test_a_redirect_is_not_followed_and_the_key_goes_nowhere_else(
    loopback_server: HTTPSServer,
) -> None:
    loopback_server.route(
        "/api/organizations", respond(301, b"", {"Location": "https://127.0.0.2:1/steal"})
    )
    async with client(f"https://127.0.0.1:{loopback_server.port}/api") as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.connect()
    assert raised.value.kind is ErrorKind.HTTP_ERROR and raised.value.status == 301
    assert str(raised.value) == (
        "GET /api/organizations: 301 Moved Permanently (a redirect: not followed, the API key "
        "goes only where it was sent)"
    )
    assert len(loopback_server.requests) == 1
    assert loopback_server.requests[0].headers["x-api-key"] == KEY


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"[]", "not a JSON object"),
        (b'{"totalCount": "3", "results": []}', "no `totalCount` count"),
        (b'{"totalCount": true, "results": []}', "no `totalCount` count"),
        (b'{"totalCount": 1, "results": {}}', "no `results` array"),
        (b'{"totalCount": 1, "results": [{"id": "x"}]}', "a record without an `_id` string"),
        (b'{"totalCount": 1, "results": [{"_id": "x", "displayName": 7}]}', "`displayName` is"),
        (b'{"totalCount": 2, "results": [{"_id": "x"}, {"_id": "y"}, {"_id": "z"}]}', None),
        (b"[" * 100_000 + b"]" * 100_000, "is not JSON"),
    ],
)
async def test_answers_of_the_wrong_shape(
    loopback_server: HTTPSServer, body: bytes, what: str | None
) -> None:
    loopback_server.route("/api/organizations", respond(200, body))
    async with client(f"https://127.0.0.1:{loopback_server.port}/api") as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.organizations()
    expected = ErrorKind.CHANGED if what is None else ErrorKind.BAD_ANSWER
    assert raised.value.kind is expected
    assert what is None or what in str(raised.value)
