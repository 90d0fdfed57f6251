"""`verify --report FILE.md`: the evidence for a ticket, escaped, with curl commands that
really reproduce each request."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, WELL_KNOWN
from tests.support.https_server import HTTPSServer, redirect, respond
from tests.support.services import CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE
from wizard.core.diagnosis.evidence_report import ReproduceWith, code_block, curl_command
from wizard.core.results import Hop


def curl_commands(report: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", report)


def test_report_with_json(server: HTTPSServer, ca_bundle: Path, tmp_path: Path) -> None:
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://www.{DOMAIN}{WELL_KNOWN}?a=1"))
    server.route(f"www.{DOMAIN}{WELL_KNOWN}", respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    path = tmp_path / "ticket.md"
    result = run_cli("verify", DOMAIN, "--json", "--report", str(path), *routed(server, ca_bundle))
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["failure"] == "bad_status"  # --json still prints
    report = path.read_text()
    assert "Verdict: 1 of 1 domains failed." in report
    assert f"## {DOMAIN}: FAIL (bad_status)" in report
    assert "| HTTP status | fail | bad_status | waf_challenge |" in report
    assert "cf-mitigated: challenge" in report  # the response headers of the second hop
    assert "Answered by Cloudflare (cf-ray)" in report
    assert "User-Agent: DeviceManagementClient/1.0" in report  # the request headers
    assert "Just a moment..." in report  # the start of the body
    commands = curl_commands(report)
    assert len(commands) == 2  # one per hop
    argv = shlex.split(commands[1])
    assert argv[argv.index("--connect-to") + 1] == f":443:127.0.0.1:{server.port}"
    assert argv[argv.index("--cacert") + 1] == str(ca_bundle)
    assert argv[-1].startswith(f"https://www.{DOMAIN}{WELL_KNOWN}?")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_each_curl_command_reproduces_its_hop(
    server: HTTPSServer, ca_bundle: Path, tmp_path: Path
) -> None:
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://www.{DOMAIN}{WELL_KNOWN}"))
    server.route(f"www.{DOMAIN}{WELL_KNOWN}", respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    path = tmp_path / "ticket.md"
    run_cli("verify", DOMAIN, "--report", str(path), *routed(server, ca_bundle))
    statuses = []
    for command in curl_commands(path.read_text()):
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
        statuses.append(done.stdout.split(" ", 2)[1])
    assert statuses == ["301", "403"]
    assert server.requests[-1].headers["user-agent"] == "DeviceManagementClient/1.0"


def test_hostile_header_values_are_escaped(
    server: HTTPSServer, ca_bundle: Path, tmp_path: Path
) -> None:
    hostile = {"Content-Type": "text/html", "X-Evil": "\x1b]0;pwned\x07 ```` | done"}
    server.route(WELL_KNOWN, respond(404, "<html>\x1b[2J``` </html>", hostile))
    path = tmp_path / "ticket.md"
    run_cli("verify", DOMAIN, "--report", str(path), *routed(server, ca_bundle))
    report = path.read_text()
    assert "\x1b" not in report and "\x07" not in report
    assert "\\x1b]0;pwned\\x07" in report
    # The fence around the headers is longer than the backtick run inside them.
    assert "`````\nHTTP 404" in report


def test_report_to_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("verify", DOMAIN, "--report", str(tmp_path / "nope" / "r.md"))
    assert result.returncode == 2
    assert result.stdout == "" and "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_curl_command_is_shell_safe() -> None:
    hop = Hop(
        url="https://example.test/.well-known/com.apple.remotemanagement?user-identifier=a'b",
        request_headers=[("Host", "example.test"), ("User-Agent", "x'; rm -rf ~; '")],
    )
    command = curl_command(hop, ReproduceWith(connect_to=["::127.0.0.1:8443"], ca_bundle="/a b"))
    argv = shlex.split(command)
    assert argv[-1] == hop.url
    assert "User-Agent: x'; rm -rf ~; '" in argv
    assert "Host: example.test" not in argv  # curl sends the URL's host itself
    assert argv[argv.index("--cacert") + 1] == "/a b"


def test_code_block_fence_outgrows_the_content() -> None:
    assert code_block(["a ``` b"]) == ["````", "a ``` b", "````"]


def test_the_wizards_report_export_has_the_same_evidence(
    server: HTTPSServer, ca_bundle: Path, tmp_path: Path
) -> None:
    from tests.support.constants import ORG_ID
    from tests.support.verifying import options_for, verify
    from wizard.core.setups.report_markdown import markdown_report
    from wizard.core.setups.state import SetupState, VerifySettings
    from wizard.core.setups.store import Store

    server.route(WELL_KNOWN, respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    report = verify(options_for(server, ca_bundle))
    state = SetupState(
        name=DOMAIN,
        org_id=ORG_ID,
        domains=[DOMAIN],
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"],
            resolve=[f"node1.{DOMAIN}:443:192.0.2.10"],  # saved too: the curl carries it
            ca_bundle=str(ca_bundle),
        ),
    )
    # Saved, recorded and loaded like any setup: the evidence survives the round trip.
    store = Store(tmp_path)
    store.save(state)
    store.record_run(state, [report], [])
    loaded = Store(tmp_path).load(DOMAIN)
    assert loaded is not None
    text = markdown_report(loaded)
    assert "## Evidence" in text
    assert "| HTTP status | fail | bad_status | waf_challenge |" in text
    assert "cf-mitigated: challenge" in text
    [command] = curl_commands(text)
    argv = shlex.split(command)
    assert argv[argv.index("--connect-to") + 1] == f":443:127.0.0.1:{server.port}"
    assert argv[argv.index("--resolve") + 1] == f"node1.{DOMAIN}:443:192.0.2.10"
    assert argv[argv.index("--cacert") + 1] == str(ca_bundle)


def test_curl_commands_carry_the_resolve_rules_too(
    server: HTTPSServer, ca_bundle: Path, tmp_path: Path
) -> None:
    """Reached through --connect-to to a name that a --resolve rule pins, as an admin checks
    one node: the curl commands carry both rules, and reproduce the same answers."""
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://www.{DOMAIN}{WELL_KNOWN}"))
    server.route(f"www.{DOMAIN}{WELL_KNOWN}", respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    path = tmp_path / "ticket.md"
    node = f"node1.{DOMAIN}"
    run_cli(
        "verify",
        DOMAIN,
        "--report",
        str(path),
        "--connect-to",
        f"::{node}:{server.port}",
        "--resolve",
        f"{node}:{server.port}:127.0.0.1",
        "--ca-bundle",
        str(ca_bundle),
    )
    commands = curl_commands(path.read_text())
    assert commands and all(f"--resolve {node}:{server.port}:127.0.0.1" in c for c in commands)
    statuses = []
    for command in commands:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
        statuses.append(done.stdout.split(" ", 2)[1])
    assert statuses == ["301", "403"]
