"""`verify` of a saved JumpCloud setup, with an API key: the domain is compared with
JumpCloud's own ADUE configuration (its JSON for self-host, its redirect URL for redirect),
read from the stand-in; a mismatch says "JumpCloud's configuration says ..."."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.commands import run_in_process
from tests.support.constants import (
    DISCOVERY,
    DOMAIN,
    JUMPCLOUD,
    JUMPCLOUD_DISCOVERY,
    ORG_ID,
    WELL_KNOWN,
)
from tests.support.https_server import HTTPSServer, json_document, redirect
from tests.support.jumpcloud_api import AdueConfig, JumpCloudState, StartStandIn
from tests.support.wizard_app import saved_setup
from wizard.core.setups.store import Store

KEY = "verify-test-key-0123456789"
BASE_URL = f"https://{JUMPCLOUD}/mdm/enroll/abc"


def document(base_url: str) -> str:
    return json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]})


@pytest.fixture
def api(start_standin: StartStandIn, trusted: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    adue = AdueConfig(redirect_url=JUMPCLOUD_DISCOVERY, json_config=document(BASE_URL))
    standin = start_standin(JumpCloudState.single(2, key=KEY, org_id=ORG_ID, adue=adue))
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    return ["--api-url", standin.base_url]


def verify_setup(
    capsys: pytest.CaptureFixture[str],
    folder: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    method: str,
    api: list[str],
) -> tuple[int, dict[str, Any], str]:
    setup = saved_setup(folder, server, ca_bundle)
    setup.method = method  # type: ignore[assignment]
    Store(folder).save(setup)
    code, out, err = run_in_process(capsys, "verify", "--setup", DOMAIN, "--json", *api)
    return code, json.loads(out.splitlines()[-1]), err


def config_check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(check for check in report["checks"] if check["id"] == check_id)


def test_a_self_hosted_document_other_than_jumpclouds_fails_naming_it(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
) -> None:
    # A document JumpCloud would accept, but not this organization's configuration.
    other = f"https://{JUMPCLOUD}/mdm/enroll/OTHER"
    server.route(WELL_KNOWN, json_document(document(other)))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "self-host", api)
    assert code == 1, err
    assert report["failure"] == "bad_config"
    summary = config_check(report, "config")["summary"]
    assert f"JumpCloud's configuration says BaseURL {BASE_URL}" in summary
    assert other in summary


def test_jumpclouds_own_document_passes(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
) -> None:
    server.route(WELL_KNOWN, json_document(document(BASE_URL)))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "self-host", api)
    assert code == 0, (report, err)


def test_without_a_key_the_document_is_judged_as_before(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JUMPCLOUD_API_KEY")
    server.route(WELL_KNOWN, json_document(document(f"https://{JUMPCLOUD}/x")))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "self-host", api)
    assert code == 0, (report, err)


def test_a_redirect_elsewhere_than_jumpclouds_url_fails_naming_it(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
) -> None:
    # The right organization, on a path JumpCloud's configuration does not give.
    elsewhere = f"https://{JUMPCLOUD}/old-discovery?organization_id={ORG_ID}"
    server.route(WELL_KNOWN, redirect(elsewhere))
    server.route("/old-discovery", json_document(document(BASE_URL)))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "redirect", api)
    assert code == 1, err
    assert report["failure"] == "bad_config"
    summary = config_check(report, "redirects")["summary"]
    assert f"JumpCloud's configuration says the redirect goes to {JUMPCLOUD_DISCOVERY}" in summary


def test_a_redirect_to_another_organization_fails_naming_jumpclouds_id(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
) -> None:
    other_org = "5f0c1e2d3b4a596877665544"
    server.route(
        WELL_KNOWN, redirect(f"https://{JUMPCLOUD}{DISCOVERY}?organization_id={other_org}")
    )
    server.route(DISCOVERY, json_document(document(BASE_URL)))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "redirect", api)
    assert code == 1, err
    assert report["failure"] == "wrong_org_id"
    summary = config_check(report, "redirects")["summary"]
    assert f"organization_id {other_org}; JumpCloud's configuration says {ORG_ID}" in summary


def test_when_jumpcloud_cannot_be_read_the_run_goes_on_with_one_line(
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    api: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUMPCLOUD_API_KEY", "a-refused-key-000000")
    server.route(WELL_KNOWN, json_document(document(BASE_URL)))
    code, report, err = verify_setup(capsys, isolated_state, server, ca_bundle, "self-host", api)
    assert code == 0, report
    [line] = [line for line in err.splitlines() if "JumpCloud" in line]
    assert "not compared with JumpCloud's configuration" in line and "401" in line
    assert "a-refused-key" not in err
