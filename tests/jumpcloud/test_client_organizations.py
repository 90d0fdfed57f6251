"""Which organization the key acts on (a multi-tenant key sends x-org-id, never on
/organizations), the Apple MDM, the ADUE configuration in whichever id form the server
reads, and JumpCloud's side read in one go with each failure kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.constants import JUMPCLOUD
from tests.support.jumpcloud_api import (
    AdueConfig,
    ApiKey,
    AppleMdm,
    JumpCloudStandIn,
    JumpCloudState,
    Organization,
    StartStandIn,
    base64_id,
    make_users,
    object_id,
)
from wizard.core.jumpcloud import secret
from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind, OrgMismatch, OrgNotChosen
from wizard.core.jumpcloud.side import read_side

KEY = "single-tenant-key-0123456789"
MSP_KEY = "multi-tenant-key-9876543210"
ORG_A = object_id(0xA, prefix="5f1b")
ORG_B = object_id(0xB, prefix="5f1b")
ORG_C = object_id(0xC, prefix="5f1b")
MDM_A = object_id(0xA, prefix="6a0c")
ADUE_A = AdueConfig.for_base_url(f"https://{JUMPCLOUD}/mdm/byod", f"https://{JUMPCLOUD}/adue/A")
ADUE_PATH = "/api/v2/applemdms/{}/account-driven-service-discovery"


def tenants() -> JumpCloudState:
    """KEY reaches A alone, MSP_KEY reaches A and B, nobody C."""
    return JumpCloudState(
        organizations=[
            Organization(
                ORG_A,
                "Org A",
                users=make_users(25, ORG_A),
                apple_mdm=AppleMdm(MDM_A, allow_mobile_user_enrollment=False),
                adue=ADUE_A,
            ),
            Organization(ORG_B, "Org [b]B[/b]\x1b[2J", users=make_users(5, ORG_B, start=100)),
            Organization(ORG_C, "Org C"),
        ],
        api_keys={KEY: ApiKey([ORG_A]), MSP_KEY: ApiKey([ORG_A, ORG_B])},
    )


@pytest.fixture
def standin(start_standin: StartStandIn, trusted: Path) -> JumpCloudStandIn:
    return start_standin(tenants())


def client(standin: JumpCloudStandIn, key: str = KEY) -> JumpCloudClient:
    return JumpCloudClient(standin.base_url, secret.ApiKey(key), timeout=10, retry_base=0.05)


async def test_a_multi_tenant_key_sends_x_org_id_except_on_organizations(
    standin: JumpCloudStandIn,
) -> None:
    async with client(standin, MSP_KEY) as jumpcloud:
        connection = await jumpcloud.connect(ORG_B)
        users = await jumpcloud.users()
        mdm = await jumpcloud.apple_mdm()
    assert connection.multi_tenant and connection.org_id == ORG_B
    assert connection.organization.name == "Org [b]B[/b]\x1b[2J"  # data, shown by the caller
    assert [org.id for org in connection.organizations] == [ORG_A, ORG_B]
    assert len(users) == 5 and mdm is None
    for request in standin.requests:
        expected = None if request.path == "/api/organizations" else ORG_B
        assert request.headers.get("x-org-id") == expected, request.target


async def test_a_single_tenant_key_sends_no_x_org_id(standin: JumpCloudStandIn) -> None:
    async with client(standin) as jumpcloud:
        connection = await jumpcloud.connect()
        assert len(await jumpcloud.users()) == 25
    assert (connection.multi_tenant, connection.org_id) == (False, ORG_A)
    assert all("x-org-id" not in request.headers for request in standin.requests)


async def test_an_organization_the_key_does_not_manage_is_org_mismatch(
    standin: JumpCloudStandIn,
) -> None:
    for key, reached in ((KEY, f'{ORG_A} ("Org A")'), (MSP_KEY, ORG_A)):
        async with client(standin, key) as jumpcloud:
            with pytest.raises(OrgMismatch) as raised:
                await jumpcloud.connect(ORG_C)
        error = raised.value
        assert error.kind is ErrorKind.ORG_MISMATCH and isinstance(error, ApiError)
        assert str(error).startswith(
            f"the organization ID '{ORG_C}' is not one this API key may manage; it reaches "
            f"{reached}"
        )
        assert error.org_id == ORG_C


async def test_several_organizations_and_none_chosen(standin: JumpCloudStandIn) -> None:
    async with client(standin, MSP_KEY) as jumpcloud:
        with pytest.raises(OrgNotChosen) as raised:
            await jumpcloud.connect()
    assert raised.value.kind is ErrorKind.ORG_NOT_CHOSEN
    assert [org.id for org in raised.value.organizations] == [ORG_A, ORG_B]
    assert str(raised.value) == (
        "this API key manages 2 organizations; say which one with its organization ID: "
        f'{ORG_A} ("Org A"), {ORG_B} ("Org [b]B[/b]\\x1b[2J")'
    )


async def test_the_apple_mdm(standin: JumpCloudStandIn) -> None:
    async with client(standin) as jumpcloud:
        await jumpcloud.connect()
        mdm = await jumpcloud.apple_mdm()
    assert mdm is not None
    assert (mdm.id, mdm.organization) == (MDM_A, ORG_A)
    assert (mdm.allow_mobile_user_enrollment, mdm.service_discovery_enabled) == (False, True)


@pytest.mark.parametrize("form", ["hex", "base64"])
async def test_adue_configuration_in_the_id_form_the_server_reads(
    standin: JumpCloudStandIn, form: str
) -> None:
    standin.state.adue_id_form = form  # type: ignore[assignment]
    async with client(standin) as jumpcloud:
        redirect = await jumpcloud.adue_redirect(ORG_A)
        config = await jumpcloud.adue_config(ORG_A)
        missing = await jumpcloud.adue_redirect(ORG_B)
    assert redirect == ADUE_A.redirect_url and config == ADUE_A.json_config
    assert missing is None
    tried = [request.path for request in standin.requests]
    url_safe = base64_id(ORG_A).replace("+", "-").replace("/", "_").rstrip("=")
    if form == "hex":
        assert tried[:2] == [ADUE_PATH.format(ORG_A), ADUE_PATH.format(ORG_A) + "/config"]
    else:  # the hex form is refused once, then base64 goes first
        assert tried[:3] == [
            ADUE_PATH.format(ORG_A),
            ADUE_PATH.format(url_safe),
            ADUE_PATH.format(url_safe) + "/config",
        ]
    assert all(request.headers.get("x-api-key") == KEY for request in standin.requests)


@pytest.fixture
def adue_refused(start_standin: StartStandIn, trusted: Path) -> JumpCloudStandIn:
    standin = start_standin(tenants())
    # Both id forms answered 400 ("Malformed ID."): nothing says "not configured".
    standin.fail(400, 2, path="/api/v2/applemdms/")
    return standin


async def test_adue_when_the_server_refuses_both_forms_as_malformed(
    adue_refused: JumpCloudStandIn,
) -> None:
    async with client(adue_refused) as jumpcloud:
        with pytest.raises(ApiError) as raised:
            await jumpcloud.adue_config(ORG_A)
    assert raised.value.status == 400
    assert len(adue_refused.requests) == 2


async def test_the_side_read_in_one_go_keeps_each_failure_apart(
    standin: JumpCloudStandIn,
) -> None:
    standin.fail(
        500, 1, path="/api/v2/applemdms/" + ORG_A + "/account-driven-service-discovery/config"
    )
    async with client(standin) as jumpcloud:
        connection = await jumpcloud.connect()
        side = await read_side(jumpcloud, connection.org_id)
    assert side.apple_mdm.ok and side.apple_mdm.value is not None
    assert side.apple_mdm.value.id == MDM_A
    assert (side.redirect_url.value, side.redirect_url.error) == (ADUE_A.redirect_url, None)
    assert side.json_config.value is None and side.json_config.error is not None
    assert side.json_config.error.kind is ErrorKind.HTTP_ERROR
    assert str(side.json_config.error).startswith(
        f"GET /api/v2/applemdms/{ORG_A}/account-driven-service-discovery/config: 500 Internal "
        "Server Error"
    )


async def test_the_side_of_an_organization_with_nothing_configured(
    standin: JumpCloudStandIn,
) -> None:
    async with client(standin, MSP_KEY) as jumpcloud:
        await jumpcloud.connect(ORG_B)
        side = await read_side(jumpcloud, ORG_B)
    assert [side.apple_mdm.value, side.redirect_url.value, side.json_config.value] == [None] * 3
    assert side.apple_mdm.ok and side.redirect_url.ok and side.json_config.ok


async def test_a_multi_tenant_key_for_one_organization_gets_x_org_id_when_asked(
    standin: JumpCloudStandIn,
) -> None:
    standin.state.api_keys["msp-one-org-key-0123"] = ApiKey([ORG_A], multi_tenant=True)
    async with client(standin, "msp-one-org-key-0123") as jumpcloud:
        connection = await jumpcloud.connect()
        assert len(await jumpcloud.users()) == 25
        assert await jumpcloud.apple_mdm() is not None
    assert (connection.multi_tenant, connection.org_id) == (False, ORG_A)
    sent = [(request.path, request.headers.get("x-org-id")) for request in standin.requests]
    assert sent == [
        ("/api/organizations", None),
        ("/api/systemusers", None),  # 401 "ID not included for multi-tenant admin"
        ("/api/systemusers", ORG_A),
        ("/api/v2/applemdms", ORG_A),
    ]


async def test_a_route_refusing_x_org_id_is_asked_again_without(
    standin: JumpCloudStandIn,
) -> None:
    standin.state.adue_refuses_org_id = True
    async with client(standin) as jumpcloud:
        connection = await jumpcloud.connect()
        jumpcloud.transport.org_id = connection.org_id  # as a multi-tenant key sends it
        assert await jumpcloud.adue_redirect(ORG_A) == ADUE_A.redirect_url
    sent = [request.headers.get("x-org-id") for request in standin.requests[1:]]
    assert sent == [ORG_A, None]


async def test_an_msp_key_on_a_route_refusing_x_org_id_ends_with_what_jumpcloud_said(
    standin: JumpCloudStandIn,
) -> None:
    standin.state.adue_requires_key = True
    standin.state.adue_refuses_org_id = True
    async with client(standin, MSP_KEY) as jumpcloud:
        await jumpcloud.connect(ORG_A)
        with pytest.raises(ApiError) as raised:
            await jumpcloud.adue_redirect(ORG_A)
    assert raised.value.kind is ErrorKind.KEY_REFUSED
    assert raised.value.jumpcloud_message == "ID not included for multi-tenant admin"
    sent = [request.headers.get("x-org-id") for request in standin.requests[1:]]
    assert sent == [ORG_A, None]  # once each way, no loop
