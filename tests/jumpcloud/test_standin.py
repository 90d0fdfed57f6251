"""The JumpCloud stand-in does what JumpCloud's OpenAPI documents describe.

These tests pin the stand-in itself, so that client tests built on it test the client:
paging and projection of /systemusers, keys and x-org-id, PUT of one field, the v2 Apple
MDM and ADUE endpoints, the switchable misbehaviours, and the CONNECT proxy path.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
from pathlib import Path

import httpx
import pytest
import trustme

from tests.support.connect_proxy import ConnectProxy
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
    hostile_users,
    make_users,
    object_id,
)

KEY = "single-tenant-key-0123456789"
MSP_KEY = "multi-tenant-key-9876543210"
ORG_A = object_id(0xA, prefix="5f1b")
ORG_B = object_id(0xB, prefix="5f1b")
ORG_C = object_id(0xC, prefix="5f1b")
MDM_A = object_id(0xA, prefix="6a0c")
ADUE_A = AdueConfig.for_base_url(f"https://{JUMPCLOUD}/mdm/byod", f"https://{JUMPCLOUD}/adue/A")


def tenants() -> JumpCloudState:
    """Three organizations: KEY reaches A alone, MSP_KEY reaches A and B, nobody C."""
    return JumpCloudState(
        organizations=[
            Organization(
                ORG_A,
                "Org A",
                users=make_users(25, ORG_A),
                apple_mdm=AppleMdm(MDM_A, default_ios_user_enrollment_device_group_id=ORG_C),
                adue=ADUE_A,
            ),
            Organization(ORG_B, "Org B", users=make_users(5, ORG_B, start=100)),
            Organization(ORG_C, "Org C"),
        ],
        api_keys={KEY: ApiKey([ORG_A]), MSP_KEY: ApiKey([ORG_A, ORG_B])},
    )


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def client(
    ca: trustme.CA, standin: JumpCloudStandIn, key: str | None = KEY, **headers: str
) -> httpx.Client:
    if key is not None:
        headers["x-api-key"] = key
    return httpx.Client(
        base_url=standin.base_url, verify=trusting(ca), headers=headers, trust_env=False
    )


def test_pages_of_250_users_with_limit_100(ca: trustme.CA, start_standin: StartStandIn) -> None:
    standin = start_standin(JumpCloudState.single(make_users(250, ORG_A), key=KEY, org_id=ORG_A))
    pages = []
    with client(ca, standin) as http:
        for skip in (0, 100, 200):
            params = {"limit": 100, "skip": skip, "sort": "_id"}
            pages.append(http.get("/systemusers", params=params).json())
    assert [len(page["results"]) for page in pages] == [100, 100, 50]
    assert {page["totalCount"] for page in pages} == {250}
    ids = [user["_id"] for page in pages for user in page["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 250
    assert standin.count("GET", "/api/systemusers") == 3


def test_limit_defaults_to_10_and_is_clamped_to_100(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    standin = start_standin(JumpCloudState.single(150, key=KEY))
    with client(ca, standin) as http:
        assert len(http.get("/systemusers").json()["results"]) == 10
        assert len(http.get("/systemusers", params={"limit": 500}).json()["results"]) == 100
        assert http.get("/systemusers", params={"limit": "x"}).status_code == 400
        descending = http.get("/systemusers", params={"sort": "-username", "limit": 1}).json()
    assert descending["results"][0]["username"] == "user00149"


def test_fields_projection_always_keeps_the_id(ca: trustme.CA, start_standin: StartStandIn) -> None:
    users = make_users(3, ORG_A, apple_id_domain="appleid.example.com")
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_A))
    with client(ca, standin) as http:
        listed = http.get("/systemusers", params={"fields": "email managedAppleId"}).json()
        one = http.get(f"/systemusers/{users[1]['_id']}", params={"fields": "username"}).json()
    assert listed["totalCount"] == 3
    assert [set(user) for user in listed["results"]] == [{"_id", "email", "managedAppleId"}] * 3
    assert listed["results"][0]["managedAppleId"] == "user00000@appleid.example.com"
    assert one == {"_id": users[1]["_id"], "username": "user00001"}


def test_filter_eq_and_in(ca: trustme.CA, start_standin: StartStandIn) -> None:
    users = make_users(5, ORG_A)
    users[2].update(state="SUSPENDED", suspended=True)
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_A))
    with client(ca, standin) as http:
        suspended = http.get("/systemusers", params={"filter": "suspended:$eq:true"}).json()
        chosen = http.get("/systemusers", params={"filter": "username:$in:user00001|user00004"})
        unsupported = http.get("/systemusers", params={"search": "x"})
    assert [user["username"] for user in suspended["results"]] == ["user00002"]
    assert [user["username"] for user in chosen.json()["results"]] == ["user00001", "user00004"]
    assert unsupported.status_code == 501


def test_wrong_or_missing_key_is_401_with_an_error_body(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    state = tenants()
    standin = start_standin(state)
    with client(ca, standin, key="wrong-key-000") as http:
        wrong = http.get("/systemusers")
        v2 = http.get("/v2/applemdms")
    with client(ca, standin, key=None) as http:
        missing = http.get("/systemusers")
    assert (wrong.status_code, missing.status_code, v2.status_code) == (401, 401, 401)
    assert wrong.json() == {"code": 401, "message": "Unauthorized", "status": "Unauthorized"}
    assert v2.json() == {"code": 401, "message": "Unauthorized"}
    state.echo_key_in_errors = True
    with client(ca, standin, key="wrong-key-000") as http:
        assert "wrong-key-000" in http.get("/systemusers").text


def test_multi_tenant_key_needs_x_org_id(ca: trustme.CA, start_standin: StartStandIn) -> None:
    standin = start_standin(tenants())
    with client(ca, standin, key=MSP_KEY) as http:
        without = http.get("/systemusers")
        org_b = http.get("/systemusers", headers={"x-org-id": ORG_B}).json()
        org_c = http.get("/systemusers", headers={"x-org-id": ORG_C})
        malformed = http.get("/systemusers", headers={"x-org-id": "not-an-id"})
        orgs = http.get("/organizations").json()
        orgs_with_header = http.get("/organizations", headers={"x-org-id": ORG_A})
    assert without.status_code == 401
    assert without.json()["message"] == "ID not included for multi-tenant admin"
    assert org_b["totalCount"] == 5
    assert {user["organization"] for user in org_b["results"]} == {ORG_B}
    assert (org_c.status_code, malformed.status_code) == (404, 400)
    assert orgs == {
        "totalCount": 2,
        "results": [
            {"_id": ORG_A, "displayName": "Org A", "logoUrl": None},
            {"_id": ORG_B, "displayName": "Org B", "logoUrl": None},
        ],
    }
    assert orgs_with_header.status_code == 403


def test_single_tenant_key_works_without_x_org_id(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    standin = start_standin(tenants())
    with client(ca, standin) as http:
        assert http.get("/systemusers").json()["totalCount"] == 25
        assert http.get("/systemusers", headers={"x-org-id": ORG_A}).status_code == 200
        assert http.get("/systemusers", headers={"x-org-id": ORG_B}).status_code == 404
        assert http.get("/organizations").json()["totalCount"] == 1


def test_put_changes_only_managed_apple_id_and_is_recorded(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    state = tenants()
    standin = start_standin(state)
    user = state.organizations[0].users[3]
    before = dict(user)
    started = time.monotonic()
    with client(ca, standin) as http:
        answer = http.put(f"/systemusers/{user['_id']}", json={"managedAppleId": "a@b.example"})
        again = http.get(f"/systemusers/{user['_id']}").json()
    expected = {**before, "managedAppleId": "a@b.example"}
    assert answer.status_code == 200
    assert answer.json() == expected == again == user
    [write] = standin.writes
    assert (write.method, write.path) == ("PUT", f"/api/systemusers/{user['_id']}")
    assert (write.user_id, write.org_id, write.status) == (user["_id"], ORG_A, 200)
    assert write.body == {"managedAppleId": "a@b.example"}
    assert started <= write.time <= time.monotonic()


def test_put_unknown_user_refused_and_invalid_writes(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    state = tenants()
    users = state.organizations[0].users
    state.refuse_writes = {users[0]["_id"]: 403, users[1]["_id"]: 400}
    standin = start_standin(state)
    body = {"managedAppleId": "x@appleid.example.com"}
    with client(ca, standin) as http:
        unknown = http.put(f"/systemusers/{object_id(999)}", json=body)
        forbidden = http.put(f"/systemusers/{users[0]['_id']}", json=body)
        refused = http.put(f"/systemusers/{users[1]['_id']}", json=body)
        too_long = http.put(f"/systemusers/{users[2]['_id']}", json={"managedAppleId": "x" * 1025})
        staged = http.put(f"/systemusers/{users[2]['_id']}", json={"state": "STAGED"})
    assert unknown.status_code == 404
    assert unknown.json() == {"code": 404, "message": "Not Found", "status": "Not Found"}
    assert forbidden.json() == {"code": 403, "message": "Forbidden", "status": "Forbidden"}
    assert refused.json()["status"] == "INVALID_ARGUMENT"
    violation = too_long.json()["details"][0]["fieldViolationsList"][0]
    assert (too_long.status_code, violation["field"]) == (400, "managedAppleId")
    assert staged.status_code == 400
    assert all("managedAppleId" not in user for user in users[:3])
    assert [write.status for write in standin.writes] == [404, 403, 400, 400, 400]
    assert standin.count("PUT", "/api/systemusers/", prefix=True) == 5


def test_429_with_retry_after_then_success(ca: trustme.CA, start_standin: StartStandIn) -> None:
    standin = start_standin(tenants())
    standin.rate_limit(2, retry_after=3)
    with client(ca, standin) as http:
        answers = [http.get("/systemusers") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"
    assert answers[0].json()["code"] == 429
    assert standin.count("GET", "/api/systemusers") == 3


def test_503_then_success_and_faults_scoped_to_a_path(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    standin = start_standin(tenants())
    standin.unavailable(1)
    standin.unavailable(1, path="/api/v2/")
    with client(ca, standin) as http:
        first, second = http.get("/systemusers"), http.get("/systemusers")
        v2_first, v2_second = http.get("/v2/applemdms"), http.get("/v2/applemdms")
    assert (first.status_code, second.status_code) == (503, 200)
    assert "Retry-After" not in first.headers
    assert (v2_first.status_code, v2_second.status_code) == (503, 200)


async def test_latency_does_not_serialise_concurrent_requests(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    state = tenants()
    state.latency = 0.2
    standin = start_standin(state)
    headers = {"x-api-key": KEY}
    async with httpx.AsyncClient(
        base_url=standin.base_url, verify=trusting(ca), headers=headers, trust_env=False
    ) as http:
        started = time.monotonic()
        answers = await asyncio.gather(*(http.get("/systemusers") for _ in range(4)))
        elapsed = time.monotonic() - started
    assert [answer.status_code for answer in answers] == [200] * 4
    assert 0.2 <= elapsed < 0.7  # one after another would take 0.8 s
    # The stand-in counts a request done once its answer is drained, which may be just
    # after the client has read it: wait for that, briefly.
    settled = time.monotonic() + 2
    while standin.in_flight and time.monotonic() < settled:
        await asyncio.sleep(0.01)
    assert (standin.peak_in_flight, standin.in_flight) == (4, 0)
    standin.reset_peak()
    assert standin.peak_in_flight == 0


def test_apple_mdms_list(ca: trustme.CA, start_standin: StartStandIn) -> None:
    standin = start_standin(tenants())
    with client(ca, standin) as http:
        mdms = http.get("/v2/applemdms").json()
        too_many = http.get("/v2/applemdms", params={"limit": 101})
    with client(ca, standin, key=MSP_KEY, **{"x-org-id": ORG_B}) as http:
        none = http.get("/v2/applemdms").json()
    [mdm] = mdms
    assert mdm["id"] == MDM_A and mdm["organization"] == ORG_A
    assert mdm["allowMobileUserEnrollment"] is True and mdm["serviceDiscoveryEnabled"] is True
    assert mdm["defaultIosUserEnrollmentDeviceGroupID"] == ORG_C
    assert too_many.status_code == 400
    assert none == []


def test_account_driven_service_discovery(ca: trustme.CA, start_standin: StartStandIn) -> None:
    state = tenants()
    standin = start_standin(state)
    path = "/v2/applemdms/{}/account-driven-service-discovery"
    with client(ca, standin, key=None) as http:
        redirect = http.get(path.format(ORG_A)).json()
        config = http.get(path.format(base64_id(ORG_A)) + "/config").json()
        not_configured = http.get(path.format(ORG_B))
        mdm_id_instead = http.get(path.format(MDM_A))
        state.adue_id_form = "hex"
        base64_refused = http.get(path.format(base64_id(ORG_A)))
        state.adue_requires_key = True
        keyless = http.get(path.format(ORG_A))
        state.adue_refuses_org_id = True
        with_org_id = http.get(path.format(ORG_A), headers={"x-org-id": ORG_A})
    assert redirect == {"redirectUrl": f"https://{JUMPCLOUD}/adue/A"}
    servers = json.loads(config["jsonConfig"])["Servers"]
    assert servers == [{"Version": "mdm-byod", "BaseURL": f"https://{JUMPCLOUD}/mdm/byod"}]
    assert not_configured.status_code == 404
    assert not_configured.json() == {"code": 404, "message": "not found"}
    assert (mdm_id_instead.status_code, base64_refused.status_code) == (404, 404)
    assert keyless.status_code == 401
    assert with_org_id.status_code == 403
    assert with_org_id.json()["message"] == "ID included on unsupported route."


def test_hostile_users_come_back_verbatim(ca: trustme.CA, start_standin: StartStandIn) -> None:
    users = hostile_users(ORG_A)
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_A))
    with client(ca, standin) as http:
        answer = http.get("/systemusers", params={"limit": 100})
    assert b"\x1b" not in answer.content  # JSON escapes control characters
    emails = [user["email"] for user in answer.json()["results"]]
    assert emails == [user["email"] for user in users]
    assert any("\x1b]0;pwned\x07" in email for email in emails)
    assert any("[bold]" in email for email in emails)


def test_ten_thousand_users_in_exactly_100_pages(
    ca: trustme.CA, start_standin: StartStandIn
) -> None:
    users = make_users(10_000, ORG_A)
    standin = start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_A))
    seen = 0
    with client(ca, standin) as http:
        while True:
            params: dict[str, str | int] = {"limit": 100, "skip": seen}
            params |= {"sort": "_id", "fields": "email"}
            results = http.get("/systemusers", params=params).json()["results"]
            if not results:
                break
            seen += len(results)
    assert seen == 10_000
    assert standin.count("GET", "/api/systemusers") == 101  # the last one is empty


def test_stall_huge_endless_and_malformed(ca: trustme.CA, start_standin: StartStandIn) -> None:
    standin = start_standin(tenants())
    standin.malformed()
    standin.huge(size=3 * 1024 * 1024)
    standin.stall()
    standin.endless()
    with client(ca, standin) as http:
        with pytest.raises(json.JSONDecodeError):
            http.get("/systemusers").json()
        huge = http.get("/systemusers")
        with pytest.raises(httpx.ReadTimeout):
            http.get("/systemusers", timeout=httpx.Timeout(5, read=0.3))
        read = 0
        with http.stream("GET", "/systemusers") as endless:
            for chunk in endless.iter_raw():
                read += len(chunk)
                if read > 5 * 1024 * 1024:
                    break
        after = http.get("/systemusers")
    assert len(huge.content) == int(huge.headers["Content-Length"]) == 3 * 1024 * 1024
    assert huge.json()["results"] == []
    assert read > 5 * 1024 * 1024
    assert after.status_code == 200


def test_listens_on_ipv6_loopback(ca: trustme.CA, start_standin: StartStandIn) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        standin = start_standin(tenants(), host="::1")
    except OSError:
        pytest.skip("::1 cannot be bound here")
    assert standin.base_url.startswith("https://[::1]:")
    with client(ca, standin) as http:
        assert http.get("/systemusers").status_code == 200


def test_real_name_through_the_connect_proxy(
    ca: trustme.CA,
    ca_bundle: Path,
    start_standin: StartStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    standin = start_standin(tenants())
    with ConnectProxy(standin.port) as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_bundle))
        with httpx.Client(trust_env=True, headers={"x-api-key": KEY}) as http:
            answer = http.get("https://console.jumpcloud.com/api/systemusers")
    assert answer.status_code == 200 and answer.json()["totalCount"] == 25
    assert proxy.requested == ["console.jumpcloud.com:443"]
    assert proxy.hosts == ["console.jumpcloud.com"]
    assert standin.requests[-1].host == "console.jumpcloud.com"
