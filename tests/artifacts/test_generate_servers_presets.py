"""Every MDM preset through the whole path: `generate --mdm` writes the artifact, real
nginx, Apache and Caddy load it unchanged, and `verify --mdm` passes; the same domain
checked against another preset fails with bad_config, and the vendor's placeholder left in
fails and says so. Redirect presets reach a local stand-in for the MDM with the device's
query."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.support.commands import run_in_process
from tests.support.constants import (
    DISCOVERY,
    DOMAIN,
    JUMPCLOUD,
    ORG_ID,
    TENANT,
    WELL_KNOWN,
    WELL_KNOWN_FILE,
)
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import server_context
from tests.support.web_servers import SERVER_NAMES, SNIPPET_FILE, Site, publish, running

MANAGEENGINE = json.dumps(
    {
        "Servers": [
            {
                "Version": "mdm-byod",
                "BaseURL": "https://mdm.manageengine.com/mdm/client/v1/enroll"
                "?templateToken=a1b2c3d4e5&encapiKey=f6e5d4c3b2a1",
            }
        ]
    }
)
JUMPCLOUD_DOC = json.dumps(
    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.jumpcloud.com/enroll/abc123"}]}
)


@dataclass(frozen=True)
class Case:
    """One self-hosting preset: how to generate for it, how to verify it, another preset
    its document must fail, and the document with the vendor's placeholder left in."""

    mdm: str
    generate: tuple[str, ...]
    verify: tuple[str, ...]
    other: str
    placeholder: str
    file: str | None = None  # a downloaded document given with --json-file


def document(version: str, base_url: str) -> str:
    return json.dumps({"Servers": [{"Version": version, "BaseURL": base_url}]})


CASES = [
    Case(
        "intune",
        ("--tenant-id", TENANT),
        ("--tenant-id", TENANT),
        "jamf",
        document(
            "mdm-byod",
            "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
            "?aadTenantId=YourAADTenantID",
        ),
    ),
    Case(
        "jamf",
        ("--server-url", "https://acme.jamfcloud.com"),
        ("--server-url", "https://acme.jamfcloud.com"),
        "intune",
        document(
            "mdm-byod",
            "https://yourserver.jamfcloud.com/servicediscoveryenrollment/v1/userenroll",
        ),
    ),
    Case(
        "fleet",
        ("--server-url", "https://fleet.acme.test"),
        ("--server-url", "https://fleet.acme.test"),
        "manageengine",
        document("mdm-byod", "https://<your-fleet-server>/api/mdm/apple/account_driven_enroll"),
    ),
    Case(
        "manageengine",
        (),
        (),
        "fleet",
        document(
            "mdm-byod",
            "https://mdm.manageengine.com/mdm/client/v1/enroll?templateToken=XXXX&encapiKey=XXXX",
        ),
        file=MANAGEENGINE,
    ),
    Case(
        "jumpcloud",
        (),
        (),
        "intune",
        document("mdm-byod", "https://mdm.jumpcloud.com/enroll?organization_id=YOUR_ORG_ID"),
        file=JUMPCLOUD_DOC,
    ),
    Case(
        "generic",
        ("--base-url", "https://mdm.acme.test/enroll"),
        ("--base-url", "https://mdm.acme.test/enroll"),
        "intune",
        document("mdm-byod", "https://mdm.example.com/enroll/{tenant}"),
    ),
]


def generate_into(
    capsys: pytest.CaptureFixture[str], folder: Path, platform: str, method: str, *args: str
) -> None:
    code, _, err = run_in_process(
        capsys,
        "generate",
        "--platform",
        platform,
        "--method",
        method,
        "--domain",
        DOMAIN,
        "--out",
        str(folder),
        *args,
    )
    assert code == 0, err


def verify_json(
    capsys: pytest.CaptureFixture[str], rules: list[str], ca_bundle: Path, *args: str
) -> tuple[int, dict[str, Any]]:
    connect = [part for rule in rules for part in ("--connect-to", rule)]
    code, out, err = run_in_process(
        capsys,
        "verify",
        DOMAIN,
        "--json",
        "--ca-bundle",
        str(ca_bundle),
        "--timeout",
        "5",
        *connect,
        *args,
    )
    assert out, err
    return code, json.loads(out)


def config_check(report: dict[str, Any]) -> dict[str, Any]:
    configs: list[dict[str, Any]] = [c for c in report["checks"] if c["id"] == "config"]
    [config] = configs
    return config


@pytest.mark.parametrize("platform", SERVER_NAMES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.mdm)
def test_self_host_preset_generated_served_and_verified(
    platform: str,
    case: Case,
    site: Site,
    ca_bundle: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs: tuple[str, ...] = case.generate
    verify_inputs: tuple[str, ...] = case.verify
    if case.file is not None:
        downloaded = tmp_path / "downloaded.json"
        downloaded.write_text(case.file)
        inputs = (*inputs, "--json-file", str(downloaded))
        verify_inputs = (*verify_inputs, "--json-file", str(downloaded))
    artifacts = site.folder / "artifacts"
    generate_into(capsys, artifacts, platform, "self-host", "--mdm", case.mdm, *inputs)
    served = (artifacts / WELL_KNOWN_FILE).read_text()
    if case.file is not None:
        assert served == case.file  # kept byte for byte
    publish(site, WELL_KNOWN_FILE, served)
    with running(platform, site, artifacts / SNIPPET_FILE[platform]) as port:
        rules = [f"{DOMAIN}:443:127.0.0.1:{port}"]
        code, report = verify_json(capsys, rules, ca_bundle, "--mdm", case.mdm, *verify_inputs)
        assert code == 0, report
        assert report["ok"] and report["mdm"] == (None if case.mdm == "generic" else case.mdm)

        if case.file is not None:  # the served document must be the downloaded file, exactly
            changed = tmp_path / "changed.json"
            changed.write_text(json.dumps(json.loads(case.file), indent=2))
            code, report = verify_json(
                capsys, rules, ca_bundle, "--mdm", case.mdm, "--json-file", str(changed)
            )
            assert report["failure"] == "bad_config", report
            assert "--json-file" in config_check(report)["summary"]

        code, report = verify_json(capsys, rules, ca_bundle, "--mdm", case.other)
        assert code == 1
        assert report["failure"] == "bad_config", report
        assert "expect" in config_check(report)["summary"]

        publish(site, WELL_KNOWN_FILE, case.placeholder)
        for args in (("--mdm", case.mdm), ()):
            code, report = verify_json(capsys, rules, ca_bundle, *args)
            assert code == 1
            assert report["failure"] == "bad_config", report
            assert "placeholder" in config_check(report)["summary"]


def test_generate_refuses_a_downloaded_file_with_the_placeholder_left_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    downloaded = tmp_path / "intune.json"
    downloaded.write_text(CASES[0].placeholder)
    code, out, err = run_in_process(
        capsys,
        "generate",
        "--mdm",
        "intune",
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--json-file",
        str(downloaded),
    )
    assert (code, out) == (2, "")
    assert "YourAADTenantID" in err and "placeholder" in err


@pytest.fixture
def ivanti_cluster(start_server: Callable[..., HTTPSServer], ca: trustme.CA) -> HTTPSServer:
    """An Ivanti Neurons for MDM cluster, played locally: it serves the discovery document."""
    server = start_server(server_context(ca.issue_cert("na1.ivanti.test")))
    body = document("mdm-byod", "https://na1.ivanti.test/c/i/reg/userenroll.mobileconfig")
    server.route(f"na1.ivanti.test{WELL_KNOWN}", json_document(body))
    return server


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_ivanti_redirect_reaches_the_cluster_with_the_device_query(
    platform: str,
    site: Site,
    ivanti_cluster: HTTPSServer,
    ca_bundle: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    artifacts = site.folder / "artifacts"
    cluster = ("--server-url", "https://na1.ivanti.test")
    generate_into(capsys, artifacts, platform, "redirect", "--mdm", "ivanti", *cluster)
    with running(platform, site, artifacts / SNIPPET_FILE[platform]) as port:
        rules = [
            f"{DOMAIN}:443:127.0.0.1:{port}",
            f"na1.ivanti.test:443:127.0.0.1:{ivanti_cluster.port}",
        ]
        code, report = verify_json(capsys, rules, ca_bundle, "--mdm", "ivanti", *cluster)
        assert code == 0, report
        reached = ivanti_cluster.requests[-1]
        assert reached.query["user-identifier"] == [f"probe@{DOMAIN}"]
        assert reached.query["model-family"] == ["iPhone"]
        # Recognised from the BaseURL the cluster serves, without --mdm too.
        code, report = verify_json(capsys, rules, ca_bundle)
        assert code == 0 and report["mdm"] == "ivanti"
        # Another cluster is not the one asked for.
        code, report = verify_json(
            capsys, rules, ca_bundle, "--mdm", "ivanti", "--server-url", "https://eu1.ivanti.test"
        )
        assert report["failure"] == "bad_config"
        redirects = next(c for c in report["checks"] if c["id"] == "redirects")
        assert f"https://eu1.ivanti.test{WELL_KNOWN}" in redirects["summary"]


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_jumpcloud_redirect_reaches_the_stand_in_with_the_device_query(
    platform: str,
    site: Site,
    server: HTTPSServer,
    ca_bundle: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.route(f"{JUMPCLOUD}{DISCOVERY}", json_document(JUMPCLOUD_DOC))
    artifacts = site.folder / "artifacts"
    org = ("--org-id", ORG_ID)
    generate_into(capsys, artifacts, platform, "redirect", "--mdm", "jumpcloud", *org)
    with running(platform, site, artifacts / SNIPPET_FILE[platform]) as port:
        rules = [f"{DOMAIN}:443:127.0.0.1:{port}", f"{JUMPCLOUD}:443:127.0.0.1:{server.port}"]
        code, report = verify_json(capsys, rules, ca_bundle, "--mdm", "jumpcloud", *org)
        assert code == 0, report
        assert report["mdm"] == "jumpcloud"
        reached = server.requests[-1]
        assert reached.query["organization_id"] == [ORG_ID]
        assert reached.query["user-identifier"] == [f"probe@{DOMAIN}"]
        code, report = verify_json(capsys, rules, ca_bundle, "--mdm", "intune")
        assert code == 1 and report["failure"] == "bad_config"


def test_jumpcloud_portal_messages_only_for_jumpcloud(
    server: HTTPSServer, ca_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure quotes JumpCloud's portal message for JumpCloud (or an unknown MDM), never
    for another named MDM."""
    intune = document(
        "mdm-byod",
        "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
        f"?aadTenantId={TENANT}",
    )
    server.route(WELL_KNOWN, json_document(intune, "text/html"))
    rules = [f":443:127.0.0.1:{server.port}"]

    def remedies(*args: str) -> str:
        _, report = verify_json(capsys, rules, ca_bundle, *args)
        assert report["failure"] == "bad_content_type"
        return " ".join(check["remedy"] or "" for check in report["checks"])

    assert "JumpCloud portal" in remedies("--mdm", "jumpcloud")
    assert "JumpCloud portal" not in remedies("--mdm", "intune")
    assert "JumpCloud portal" not in remedies()  # recognised as Intune's document
