"""`generate --from-jumpcloud`: the artifact built from JumpCloud's own ADUE configuration,
read through its API (the stand-in), instead of a file downloaded from the portal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.commands import run_in_process
from tests.support.constants import DOMAIN, JUMPCLOUD, JUMPCLOUD_DISCOVERY, ORG_ID, TENANT
from tests.support.jumpcloud_api import AdueConfig, JumpCloudState, StartStandIn

KEY = "generate-test-key-0123456789"
BASE_URL = f"https://{JUMPCLOUD}/mdm/enroll/{ORG_ID}"


@pytest.fixture
def api(start_standin: StartStandIn, trusted: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    adue = AdueConfig.for_base_url(BASE_URL, JUMPCLOUD_DISCOVERY)
    standin = start_standin(JumpCloudState.single(3, key=KEY, org_id=ORG_ID, adue=adue))
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    return ["--from-jumpcloud", "--api-url", standin.base_url, "--domain", DOMAIN]


def test_self_host_publishes_jumpclouds_json_exactly(
    capsys: pytest.CaptureFixture[str], api: list[str], tmp_path: Path
) -> None:
    code, _, err = run_in_process(
        capsys,
        "generate",
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--out",
        str(tmp_path),
        *api,
    )
    assert code == 0, err
    [document] = [p for p in tmp_path.rglob("com.apple.remotemanagement") if p.is_file()]
    assert json.loads(document.read_text()) == {
        "Servers": [{"Version": "mdm-byod", "BaseURL": BASE_URL}]
    }


def test_redirect_goes_to_jumpclouds_redirect_url(
    capsys: pytest.CaptureFixture[str], api: list[str]
) -> None:
    code, out, err = run_in_process(
        capsys, "generate", "--method", "redirect", "--platform", "nginx", "--raw", *api
    )
    assert code == 0, err
    assert f"organization_id={ORG_ID}" in out and JUMPCLOUD in out


def test_without_a_configuration_it_says_where_to_choose_one(
    capsys: pytest.CaptureFixture[str], api: list[str], start_standin: StartStandIn
) -> None:
    bare = start_standin(JumpCloudState.single(1, key=KEY, org_id=ORG_ID))
    args = [*api[:-4], "--api-url", bare.base_url, "--domain", DOMAIN]
    code, out, err = run_in_process(
        capsys, "generate", "--method", "self-host", "--platform", "nginx", *args
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "choose Self Host" in err


def test_without_a_key_it_says_how_to_give_one(
    capsys: pytest.CaptureFixture[str], api: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUMPCLOUD_API_KEY")
    code, out, err = run_in_process(
        capsys, "generate", "--method", "self-host", "--platform", "nginx", *api
    )
    assert code == 2 and out == ""
    assert "JUMPCLOUD_API_KEY" in err and err.count("\n") == 1


def test_from_jumpcloud_is_not_for_another_mdm(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_in_process(
        capsys,
        "generate",
        "--method",
        "redirect",
        "--platform",
        "nginx",
        "--mdm",
        "intune",
        "--from-jumpcloud",
        "--tenant-id",
        TENANT,
    )
    assert code == 2 and "JumpCloud" in err
