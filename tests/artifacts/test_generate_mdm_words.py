"""`generate` speaks for the MDM in question: the artifact's header names that preset's input
(a tenant, a server, an organization), the step that checks the result gives the `verify`
command with that preset and its inputs (and that very command passes against the published
file), and the notes quote no other vendor's guide."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, ORG_ID, TENANT, WELL_KNOWN, WELL_KNOWN_FILE
from tests.support.https_server import HTTPSServer, json_document

INTUNE_DOCUMENT = json.dumps(
    {
        "Servers": [
            {
                "Version": "mdm-byod",
                "BaseURL": "https://manage.microsoft.com/EnrollmentServer/"
                f"PostReportDeviceInfoForUEV2?aadTenantId={TENANT}",
            }
        ]
    }
)


def generated(*args: str) -> str:
    result = run_cli("generate", "--platform", "nginx", "--domain", DOMAIN, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def verify_command(output: str) -> list[str]:
    """The `adue-wizard verify ...` command the last step suggests, as its words."""
    step = output.split("Check it as a device would: adue-wizard ", 1)[1]
    return shlex.split(step.split(";", 1)[0].removesuffix(".\n").splitlines()[0].rstrip("."))


@pytest.mark.parametrize(
    ("args", "header", "command"),
    [
        (
            ("--method", "self-host", "--mdm", "intune", "--tenant-id", TENANT),
            f"Tenant: {TENANT} (public cloud).",
            ["--mdm", "intune", "--tenant-id", TENANT],
        ),
        (
            (
                "--method",
                "self-host",
                "--mdm",
                "jamf",
                "--server-url",
                "https://acme.jamfcloud.com",
            ),
            "Jamf Pro: https://acme.jamfcloud.com.",
            ["--mdm", "jamf", "--server-url", "https://acme.jamfcloud.com"],
        ),
        (
            ("--method", "redirect", "--org-id", ORG_ID),
            f"Organization: {ORG_ID}.",
            ["--org-id", ORG_ID],
        ),
        (
            ("--method", "redirect", "--mdm", "ivanti", "--server-url", "https://c1.acme.test"),
            "Ivanti cluster: https://c1.acme.test.",
            ["--mdm", "ivanti", "--server-url", "https://c1.acme.test"],
        ),
    ],
)
def test_header_and_verify_step_name_the_preset_and_its_inputs(
    args: tuple[str, ...], header: str, command: list[str]
) -> None:
    output = generated(*args)
    assert header in output
    assert "not given" not in output
    assert verify_command(output) == ["verify", DOMAIN, *command]


def test_an_imported_document_is_named_by_its_path_and_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "intune download.json"
    path.write_text(INTUNE_DOCUMENT)
    args = ("--method", "self-host", "--mdm", "intune", "--json-file", str(path))
    output = generated(*args)
    assert f"Tenant: {TENANT} in the imported document." in output
    assert verify_command(output) == ["verify", DOMAIN, "--mdm", "intune", "--json-file", str(path)]
    assert "JumpCloud" not in output


def test_the_suggested_verify_command_passes_against_the_published_document(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    """Intune's suggestion judges against the tenant given: it passes for the document
    `generate` wrote, and fails for another tenant's (a bare `verify` would pass both)."""
    output = generated("--method", "self-host", "--mdm", "intune", "--tenant-id", TENANT)
    document = output.split(f"==> {WELL_KNOWN_FILE}", 1)[1]
    document = document.split("\n", 1)[1].split("\n\n", 1)[0]
    server.route(WELL_KNOWN, json_document(document))
    command = verify_command(output)
    passed = run_cli(*command, *routed(server, ca_bundle))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    other = document.replace(TENANT, "11111111-2222-3333-4444-555555555555")
    server.route(WELL_KNOWN, json_document(other))
    failed = run_cli(*command, *routed(server, ca_bundle))
    assert failed.returncode == 1 and "bad_config" in failed.stdout
    assert run_cli("verify", DOMAIN, *routed(server, ca_bundle)).returncode == 0


def test_no_vendor_guide_is_quoted_for_another_mdm() -> None:
    target = "https://mdm.acme.test/discovery"
    cloudflare = run_cli(
        "generate", "--platform", "cloudflare", "--method", "redirect", "--target", target
    )
    assert cloudflare.returncode == 0 and "JumpCloud" not in cloudflare.stdout
    shopify = run_cli(
        "generate", "--platform", "shopify", "--method", "redirect", "--target", target
    )
    assert shopify.returncode == 0 and "JumpCloud" not in shopify.stdout
    jumpcloud = run_cli(
        "generate", "--platform", "cloudflare", "--method", "redirect", "--org-id", ORG_ID
    )
    assert "single wildcard rule of JumpCloud's guide" in jumpcloud.stdout
