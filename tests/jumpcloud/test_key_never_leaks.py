"""The API key through `generate --from-jumpcloud` and `verify` of a saved setup: in no file
they write (the artifacts, the state folder with its history, the Markdown report) and in no
output, even when JumpCloud repeats a key it refuses (its error then shows `***`)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.support.commands import run_in_process
from tests.support.constants import (
    DOMAIN,
    JUMPCLOUD,
    JUMPCLOUD_DISCOVERY,
    ORG_ID,
    WELL_KNOWN,
)
from tests.support.https_server import HTTPSServer, json_document
from tests.support.jumpcloud_api import AdueConfig, JumpCloudStandIn, JumpCloudState, StartStandIn
from tests.support.wizard_app import saved_setup
from wizard.core.setups.store import Store

# Characters a URL would encode, so an encoded echo is looked for as well.
KEY = "leak/test+key=0123456789abcdef"
REFUSED = "refused/key+0123456789abcdef"
BASE_URL = f"https://{JUMPCLOUD}/mdm/enroll/{ORG_ID}"


def forms(key: str) -> list[bytes]:
    return [form.encode() for form in {key, quote(key, safe=""), quote_plus(key, safe="")}]


def assert_nowhere(key: str, texts: list[str], folders: list[Path]) -> None:
    for text in texts:
        for form in forms(key):
            assert form not in text.encode(), text
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for form in forms(key):
                    assert form not in data, path


@pytest.fixture
def standin(start_standin: StartStandIn, trusted: Path) -> JumpCloudStandIn:
    document = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": BASE_URL}]})
    adue = AdueConfig(redirect_url=JUMPCLOUD_DISCOVERY, json_config=document)
    state = JumpCloudState.single(3, key=KEY, org_id=ORG_ID, adue=adue)
    state.echo_key_in_errors = True  # every refusal repeats the key it was sent
    return start_standin(state)


@pytest.mark.parametrize("key", [KEY, REFUSED])
def test_generate_from_jumpcloud(
    capsys: pytest.CaptureFixture[str],
    standin: JumpCloudStandIn,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_state: Path,
    key: str,
) -> None:
    monkeypatch.setenv("JUMPCLOUD_API_KEY", key)
    out_folder = tmp_path / "out"
    code, out, err = run_in_process(
        capsys,
        "generate",
        "--from-jumpcloud",
        "--api-url",
        standin.base_url,
        "--domain",
        DOMAIN,
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--out",
        str(out_folder),
    )
    if key == KEY:
        assert code == 0, err
        assert any(out_folder.rglob("com.apple.remotemanagement"))
    else:
        assert code != 0 and "***" in err, err  # the refusal is shown, the key masked
    assert_nowhere(key, [out, err], [out_folder, isolated_state])


@pytest.mark.parametrize("key", [KEY, REFUSED])
def test_verify_of_a_saved_setup(
    capsys: pytest.CaptureFixture[str],
    standin: JumpCloudStandIn,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_state: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    key: str,
) -> None:
    monkeypatch.setenv("JUMPCLOUD_API_KEY", key)
    server.route(WELL_KNOWN, json_document(json.dumps({"Servers": [{"BaseURL": BASE_URL}]})))
    Store(isolated_state).save(saved_setup(isolated_state, server, ca_bundle))
    report = tmp_path / "report.md"
    code, out, err = run_in_process(
        capsys,
        "verify",
        "--setup",
        DOMAIN,
        "--json",
        "--report",
        str(report),
        "--api-url",
        standin.base_url,
    )
    assert code in (0, 1), err
    assert report.is_file()
    if key == REFUSED:
        assert "***" in err, err
    assert_nowhere(key, [out, err], [tmp_path, isolated_state])
