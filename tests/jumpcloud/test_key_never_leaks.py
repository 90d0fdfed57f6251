"""The API key appears in no exception's text, repr or traceback (local variables shown), and
in no log record at any level, whatever fails, even when the server echoes it back."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.connect_proxy import ConnectProxy
from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState, StartStandIn
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError
from wizard.core.jumpcloud.secret import ApiKey

# Only here, in the module's globals: never in a local variable a traceback would show.
SECRET = "sEcReT/k3y+0123456789=abcdef"
WRONG = "wR0nG/k3y+9876543210=fedcba"
ORG = "5f1b2c3d4e5f6a7b8c9d0e1f"
OTHER_ORG = "5f1b2c3d4e5f6a7b8c9d0eff"
Work = Callable[[JumpCloudClient], Awaitable[object]]


async def connect(jumpcloud: JumpCloudClient) -> object:
    return await jumpcloud.connect()


async def users(jumpcloud: JumpCloudClient) -> object:
    return await jumpcloud.users()


async def unknown_user(jumpcloud: JumpCloudClient) -> object:
    return await jumpcloud.get_user("65b2ffffffffffffffffffff")


async def other_org(jumpcloud: JumpCloudClient) -> object:
    return await jumpcloud.connect(OTHER_ORG)


def leaks(text: str) -> list[str]:
    forms = {SECRET, WRONG, quote(SECRET, safe=""), quote(WRONG, safe="")}
    return [form for form in forms if form in text]


async def failure_of(
    base_url: str, work: Work, *, wrong_key: bool = False, timeout: float = 5
) -> ApiError:
    """The ApiError `work` ends with; the key is in no local variable, only in the ApiKey."""
    key = ApiKey(WRONG if wrong_key else SECRET)
    async with JumpCloudClient(base_url, key, timeout=timeout, retry_base=0.01) as jc:
        try:
            await work(jc)
        except ApiError as error:
            return error
    raise AssertionError("no failure")


def assert_hidden(error: ApiError) -> None:
    shown = traceback.TracebackException.from_exception(error, capture_locals=True)
    text = "".join(shown.format())
    assert "ApiError" in text or "Org" in text
    assert leaks(str(error)) == [] and leaks(repr(error)) == [] and leaks(text) == [], text


async def test_no_failure_shows_the_key(
    start_standin: StartStandIn,
    trusted: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    state = JumpCloudState.single(150, key=SECRET, org_id=ORG)
    state.echo_key_in_errors = True
    standin: JumpCloudStandIn = start_standin(state)
    base = standin.base_url
    errors = [
        await failure_of(base, connect, wrong_key=True),  # 401, the wrong key echoed
        await failure_of(base, unknown_user),  # 404, the right key echoed
        await failure_of(base, other_org),
    ]
    standin.fail(500, path="/api/systemusers")
    errors.append(await failure_of(base, users))
    standin.rate_limit(1, retry_after=60, path="/api/systemusers")
    errors.append(await failure_of(base, users))
    standin.unavailable(4, path="/api/systemusers")
    errors.append(await failure_of(base, users))
    standin.malformed(path="/api/systemusers")
    errors.append(await failure_of(base, users))
    standin.huge(8 * 1024 * 1024, path="/api/systemusers")
    errors.append(await failure_of(base, users))
    standin.stall(path="/api/organizations")
    errors.append(await failure_of(base, connect, timeout=0.5))
    with ConnectProxy(standin.port) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        errors.append(await failure_of("https://console.jumpcloud.com:8443/api", users))
        monkeypatch.delenv("SSL_CERT_FILE")
        errors.append(await failure_of("https://console.jumpcloud.com/api", users))
    kinds = [error.kind.value for error in errors]
    assert kinds == [
        "key_refused",
        "not_found",
        "org_mismatch",
        "http_error",
        "rate_limited",
        "unavailable",
        "bad_answer",
        "too_large",
        "timeout",
        "proxy",
        "tls_untrusted",
    ]
    assert "(x-api-key: ***)" in str(errors[0]) and "(x-api-key: ***)" in str(errors[1])
    for error in errors:
        assert_hidden(error)
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    for record in caplog.records:
        assert leaks(record.getMessage()) == [], record.getMessage()
    assert leaks(caplog.text) == []


async def test_the_client_and_what_it_returns_hide_the_key(
    start_standin: StartStandIn, trusted: Path
) -> None:
    standin = start_standin(JumpCloudState.single(3, key=SECRET, org_id=ORG))
    async with JumpCloudClient(standin.base_url, ApiKey(SECRET)) as jumpcloud:
        connection = await jumpcloud.connect()
        listed = await jumpcloud.users()
        texts = [repr(jumpcloud), repr(jumpcloud.transport), repr(connection), repr(listed)]
        texts.append(repr(vars(jumpcloud)) + repr(vars(jumpcloud.transport)))
    assert [leaks(text) for text in texts] == [[]] * len(texts)
    assert {request.headers["x-api-key"] for request in standin.requests} == {SECRET}
