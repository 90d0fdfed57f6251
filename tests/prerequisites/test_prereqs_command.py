"""`adue-wizard prereqs` end to end: the DNS TXT record from a real DNS server on loopback,
the web server from a real HTTPS server, and JumpCloud's side from its stand-in over HTTPS
(reached with `--api-url` and `$SSL_CERT_FILE`, as an admin behind a proxy would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.commands import routed, run_in_process
from tests.support.constants import DOMAIN, JUMPCLOUD, JUMPCLOUD_DISCOVERY, ORG_ID, OTHER_ORG
from tests.support.dns_server import DNSServer
from tests.support.https_server import HTTPSServer
from tests.support.jumpcloud_api import (
    AdueConfig,
    ApiKey,
    JumpCloudStandIn,
    JumpCloudState,
    StartStandIn,
    hostile_users,
    make_user,
    make_users,
)
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

KEY = "prereqs-test-key-0123456789"
RECORD = "apple-domain-verification=Zx81Qm2LpA7"


@pytest.fixture
def dns(dns_server: DNSServer) -> list[str]:
    """The domain publishes Apple's record; the options that ask that server for it."""
    dns_server.txt(DOMAIN, "v=spf1 -all")
    dns_server.txt(DOMAIN, RECORD)
    return ["--nameserver", f"127.0.0.1:{dns_server.port}"]


@pytest.fixture
def web(server: HTTPSServer, ca_bundle: Path) -> list[str]:
    return routed(server, ca_bundle)


def linked_state(count: int = 25, **changes: Any) -> JumpCloudState:
    users = make_users(count, ORG_ID, domain=DOMAIN, apple_id_domain=DOMAIN)
    adue = AdueConfig.for_base_url(
        f"https://{JUMPCLOUD}/mdm/enroll",
        JUMPCLOUD_DISCOVERY,
    )
    state = JumpCloudState.single(users, key=KEY, org_id=ORG_ID, adue=adue)
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def prereqs(
    capsys: pytest.CaptureFixture[str], *args: str, as_json: bool = True
) -> tuple[int, Any, str]:
    code, out, err = run_in_process(
        capsys, "prereqs", DOMAIN, *args, *(["--json"] if as_json else [])
    )
    return code, json.loads(out) if as_json and out else out, err


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in report["checks"]}


def test_without_a_key_every_jumpcloud_check_is_skipped_saying_how_to_give_one(
    capsys: pytest.CaptureFixture[str], dns: list[str], web: list[str]
) -> None:
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, *dns, *web)
    assert code == 0
    assert report["mdm"] == "jumpcloud" and report["org_id"] == ORG_ID
    assert report["domains"] == [DOMAIN] and report["setup"] is None
    checks = by_id(report)
    for check_id in (
        "jumpcloud_api",
        "jumpcloud_org",
        "accounts_linked",
        "personal_enrollment",
        "adue_config",
        "service_discovery",
    ):
        assert checks[check_id]["status"] == "skip", check_id
        assert "JUMPCLOUD_API_KEY" in checks[check_id]["remedy"]
    for check_id in ("managed_accounts", "abm_allow_any", "os_versions"):
        assert checks[check_id]["status"] == "manual" and checks[check_id]["remedy"]
    assert checks["domain_verified"] == {
        "id": "domain_verified",
        "status": "pass",
        "code": None,
        "summary": checks["domain_verified"]["summary"],
        "remedy": None,
        "domain": DOMAIN,
    }
    assert RECORD in checks["domain_verified"]["summary"]
    assert checks["name_resolves"]["status"] == "skip"  # --connect-to says where it is
    assert checks["https_answers"]["status"] == "pass"
    # Trusted only through --ca-bundle: that proves nothing about public trust.
    assert checks["certificate_trusted"]["status"] == "skip"
    assert any("--connect-to" in condition for condition in report["conditions"])
    assert report["users"] is None


def test_with_a_key_every_prerequisite_passes_live(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    standin = start_standin(linked_state(250))
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    checks = by_id(report)
    assert code == 0, checks
    for check_id in (
        "jumpcloud_api",
        "jumpcloud_org",
        "accounts_linked",
        "personal_enrollment",
        "adue_config",
        "service_discovery",
    ):
        assert checks[check_id]["status"] == "pass", checks[check_id]
    assert report["users"]["active"] == 250 and report["users"]["linked"] == 250
    assert report["users"]["unlinked"] == 0
    # Three pages of users, read once.
    assert standin.count("GET", "/api/systemusers") == 3
    # A prereqs run never writes to JumpCloud.
    assert standin.writes == []
    assert [r.method for r in standin.requests if r.method != "GET"] == []


def test_the_checks_come_in_the_checklist_order(
    capsys: pytest.CaptureFixture[str], dns: list[str], web: list[str]
) -> None:
    _, report, _ = prereqs(capsys, "--org-id", ORG_ID, *dns, *web)
    ids = [check["id"] for check in report["checks"]]
    assert ids[:2] == ["jumpcloud_api", "jumpcloud_org"]
    assert ids.index("managed_accounts") < ids.index("accounts_linked") < ids.index("abm_allow_any")
    assert ids.index("certificate_trusted") < ids.index("personal_enrollment")
    assert len(ids) == len(set(ids))


def test_a_refused_key_fails_with_what_jumpcloud_said_and_never_shows_the_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    state = linked_state()
    state.echo_key_in_errors = True  # JumpCloud repeating the key must still show ***
    standin = start_standin(state)
    wrong = "wrong-key-9876543210-abcdef"
    monkeypatch.setenv("JUMPCLOUD_API_KEY", wrong)
    for as_json in (True, False):
        code, report, err = prereqs(
            capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web, as_json=as_json
        )
        assert code == 1
        text = json.dumps(report) if as_json else report
        assert wrong not in text + err
        assert "***" in text
    _, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    checks = by_id(report)
    assert checks["jumpcloud_api"]["status"] == "fail"
    assert checks["jumpcloud_api"]["code"] == "key_refused"
    assert "401" in checks["jumpcloud_api"]["summary"]
    assert checks["accounts_linked"]["status"] == "skip"


def test_an_organization_the_key_does_not_manage_is_org_mismatch(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    standin = start_standin(linked_state())
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(
        capsys, "--org-id", OTHER_ORG, "--api-url", standin.base_url, *dns, *web
    )
    checks = by_id(report)
    assert code == 1
    assert checks["jumpcloud_api"]["status"] == "pass"
    assert checks["jumpcloud_org"]["status"] == "fail"
    assert checks["jumpcloud_org"]["code"] == "org_mismatch"
    assert OTHER_ORG in checks["jumpcloud_org"]["summary"]
    assert ORG_ID in checks["jumpcloud_org"]["summary"]


def test_without_an_org_id_the_keys_organization_is_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    standin = start_standin(linked_state())
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(
        capsys, "--mdm", "jumpcloud", "--api-url", standin.base_url, *dns, *web
    )
    checks = by_id(report)
    assert code == 0
    assert checks["jumpcloud_org"]["status"] == "pass"
    assert ORG_ID in checks["jumpcloud_org"]["summary"]
    assert report["org_id"] == ORG_ID


@pytest.fixture
def msp_standin(
    start_standin: StartStandIn, trusted: Path, monkeypatch: pytest.MonkeyPatch
) -> JumpCloudStandIn:
    """An MSP key that manages this organization and another; the key in the environment."""
    state = linked_state()
    other = JumpCloudState.single(3, org_id=OTHER_ORG, name="Other").organizations[0]
    state.organizations.append(other)
    state.api_keys = {KEY: ApiKey([ORG_ID, OTHER_ORG])}
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    return start_standin(state)


def test_an_msp_key_sends_the_setups_organization(
    capsys: pytest.CaptureFixture[str],
    msp_standin: JumpCloudStandIn,
    dns: list[str],
    web: list[str],
) -> None:
    standin = msp_standin
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    assert code == 0, by_id(report)
    assert report["users"]["active"] == 25
    listing = [r for r in standin.requests if r.path == "/api/systemusers"]
    assert listing and all(r.headers.get("x-org-id") == ORG_ID for r in listing)
    organizations = [r for r in standin.requests if r.path.startswith("/api/organizations")]
    assert organizations and all("x-org-id" not in r.headers for r in organizations)


def test_an_msp_key_without_an_org_id_asks_for_one(
    capsys: pytest.CaptureFixture[str],
    msp_standin: JumpCloudStandIn,
    dns: list[str],
    web: list[str],
) -> None:
    standin = msp_standin
    code, report, _ = prereqs(
        capsys, "--mdm", "jumpcloud", "--api-url", standin.base_url, *dns, *web
    )
    checks = by_id(report)
    assert code == 1
    assert checks["jumpcloud_api"]["status"] == "pass"
    assert checks["jumpcloud_org"]["status"] == "fail"
    assert checks["jumpcloud_org"]["code"] == "org_not_chosen"
    assert "--org-id" in checks["jumpcloud_org"]["remedy"]
    assert not [r for r in standin.requests if r.path == "/api/systemusers"]


def test_jumpcloud_settings_that_stop_enrollment_fail_and_say_where(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    state = linked_state()
    org = state.organizations[0]
    assert org.apple_mdm is not None
    org.apple_mdm.allow_mobile_user_enrollment = False
    org.apple_mdm.service_discovery_enabled = None
    org.adue = None
    standin = start_standin(state)
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    checks = by_id(report)
    assert code == 1
    assert checks["personal_enrollment"]["status"] == "fail"
    assert (
        "Allow users to enroll personal mobile devices" in checks["personal_enrollment"]["remedy"]
    )
    assert checks["service_discovery"]["status"] == "warn"
    assert checks["adue_config"]["status"] == "fail"
    assert "Redirect or Self Host" in checks["adue_config"]["remedy"]


def test_unlinked_users_warn_naming_the_first_ten_and_json_lists_all(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    users = make_users(20, ORG_ID, domain=DOMAIN, apple_id_domain=DOMAIN)
    users += make_users(12, ORG_ID, start=100, domain=DOMAIN)  # no account yet
    users.append(make_user(200, ORG_ID, managed_apple_id="x@elsewhere.test"))
    users.append(make_user(201, ORG_ID, state="SUSPENDED"))  # not counted
    users.append(make_user(202, ORG_ID, state="STAGED"))  # active, unlinked
    state = linked_state()
    state.organizations[0].users = users
    standin = start_standin(state)
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    check = by_id(report)["accounts_linked"]
    assert code == 0
    assert check["status"] == "warn"
    assert report["users"]["active"] == 34
    assert report["users"]["linked"] == 21
    assert report["users"]["unlinked"] == 13
    assert report["users"]["outside_domains"] == 1
    assert len(report["users"]["lists"]["unlinked"]) == 13
    assert "and 4 more" in check["summary"]  # 14 named problems, ten in the summary
    assert "maid plan" in check["remedy"]


def test_a_duplicate_account_fails_and_hostile_names_are_shown_as_data(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    users = make_users(5, ORG_ID, domain=DOMAIN, apple_id_domain=DOMAIN)
    users.append(make_user(50, ORG_ID, managed_apple_id=f"USER00001@{DOMAIN}"))
    users += hostile_users(ORG_ID)
    state = linked_state()
    state.organizations[0].users = users
    standin = start_standin(state)
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, out, _ = prereqs(
        capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web, as_json=False
    )
    assert code == 1
    assert "FAIL   accounts_linked" in out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    assert by_id(report)["accounts_linked"]["status"] == "fail"
    assert report["users"]["duplicates"] == 2


def test_a_rate_limit_is_waited_out(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    web: list[str],
) -> None:
    standin = start_standin(linked_state(150))
    standin.rate_limit(2, retry_after=1, path="/api/systemusers")
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    code, report, _ = prereqs(capsys, "--org-id", ORG_ID, "--api-url", standin.base_url, *dns, *web)
    assert code == 0, by_id(report)
    assert report["users"]["active"] == 150


def test_a_saved_setup_gives_its_domains_organization_and_region(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start_standin: StartStandIn,
    trusted: Path,
    dns: list[str],
    server: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
) -> None:
    standin = start_standin(linked_state())
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    store = Store(isolated_state)
    setup = SetupState(name="corp", org_id=ORG_ID, domains=[DOMAIN])
    setup.settings.connect_to = [f":443:127.0.0.1:{server.port}"]
    setup.settings.ca_bundle = str(ca_bundle)
    store.save(setup)
    code, out, _ = run_in_process(
        capsys, "prereqs", "--setup", "corp", "--api-url", standin.base_url, "--json", *dns
    )
    report = json.loads(out)
    assert code == 0, report
    assert report["setup"] == "corp" and report["org_id"] == ORG_ID
    assert report["domains"] == [DOMAIN]
    saved = Store(isolated_state).load("corp")
    assert saved is not None and saved.jumpcloud_api_url == standin.base_url
    # The next run finds the API where the last one did, and the key is in no file.
    code, out, _ = run_in_process(capsys, "prereqs", "--setup", "corp", "--json", *dns)
    assert code == 0
    for path in isolated_state.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--nameserver", "dns.example.net"], "not an IP address"),
        (["--org-id", ORG_ID, "--api-url", "http://console.jumpcloud.com/api"], "https"),
        (["--org-id", ORG_ID, "--region", "mars"], "not a choice (choose from 'us'"),
        (["--org-id", ORG_ID, "--api-key-file", "/nonexistent/key"], "/nonexistent/key"),
        (["--org-id", ORG_ID, "--api-key-file", KEY], "never the key itself"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], mentions: str
) -> None:
    code, out, err = run_in_process(capsys, "prereqs", DOMAIN, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and mentions in err, err


@pytest.mark.parametrize(
    "args",
    [
        ["--api-key-file", KEY],  # the key where its file belongs
        ["--region", KEY],
        ["--json=" + KEY],
        ["--api-key", KEY],  # no such option: it is not taken as --api-key-file either
        ["--timeout", KEY],
    ],
)
def test_a_key_given_in_the_wrong_place_is_not_repeated(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run_in_process(capsys, "prereqs", DOMAIN, "--org-id", ORG_ID, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and KEY not in err, err


def test_the_key_is_in_no_process_command_line_output_or_file(
    start_standin: StartStandIn,
    ca_bundle: Path,
    dns: list[str],
    web: list[str],
    tmp_path: Path,
    isolated_state: Path,
) -> None:
    """The key is read from a file (or the environment): while the command runs, no
    process on the machine shows it in its command line, and it reaches no output and no
    file the command writes."""
    state = linked_state(400)
    state.latency = 0.3  # long enough to look at every process while it runs
    state.echo_key_in_errors = True
    standin = start_standin(state)
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    Store(isolated_state).save(SetupState(name="corp", org_id=ORG_ID, domains=[DOMAIN]))
    env = {
        **os.environ,
        "SSL_CERT_FILE": str(ca_bundle),
        "ADUE_WIZARD_STATE_DIR": str(isolated_state),
    }
    args = ["prereqs", "--setup", "corp", "--api-url", standin.base_url, "--api-key-file"]
    process = subprocess.Popen(
        [sys.executable, "-m", "wizard", *args, str(key_file), *dns, *web, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    seen = 0
    while process.poll() is None:
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                assert KEY.encode() not in cmdline.read_bytes(), cmdline
                seen += 1
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        time.sleep(0.05)
    out, err = process.communicate(timeout=60)
    assert process.returncode in (0, 1), err
    assert seen > 0
    assert standin.count("GET", "/api/systemusers") == 4
    assert KEY.encode() not in out + err
    for path in isolated_state.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
