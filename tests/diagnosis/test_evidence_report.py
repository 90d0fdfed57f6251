"""`verify --report FILE.md`: the evidence for a ticket, escaped, with curl commands that
really reproduce each request, and what each range of OS versions would do, there and in the
wizard's export of a run read back from the history."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from tests.support.certificates import tls12_context
from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, redirect, respond
from tests.support.services import CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE
from tests.support.verifying import options_for, server_context, verify
from wizard.core.diagnosis.evidence_report import ReproduceWith, code_block, curl_command
from wizard.core.results import Hop
from wizard.core.setups.report_markdown import markdown_report
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store


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
        url=f"https://{DOMAIN}{WELL_KNOWN}?user-identifier=a'b",
        request_headers=[("Host", DOMAIN), ("User-Agent", "x'; rm -rf ~; '")],
    )
    command = curl_command(hop, ReproduceWith(connect_to=["::127.0.0.1:8443"], ca_bundle="/a b"))
    argv = shlex.split(command)
    assert argv[-1] == hop.url
    assert "User-Agent: x'; rm -rf ~; '" in argv
    assert f"Host: {DOMAIN}" not in argv  # curl sends the URL's host itself
    assert argv[argv.index("--cacert") + 1] == "/a b"


def test_code_block_fence_outgrows_the_content() -> None:
    assert code_block(["a ``` b"]) == ["````", "a ``` b", "````"]


def test_the_wizards_report_export_has_the_same_evidence(
    server: HTTPSServer, ca_bundle: Path, tmp_path: Path
) -> None:
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


# -- a verdict per OS version --------------------------------------------------------------

PASSING = "the well-known URL answers as devices need"
# Every host routed to one server: on old TLS 1.2 the domain and the MDM's server lack EMS.
AT_RISK = (
    f"passes today; iOS/iPadOS 27 and later may refuse {DOMAIN} and mdm.example.test (the "
    "MDM's enrollment server): TLS 1.2 without the extended master secret"
)
OS_CASES = pytest.mark.parametrize(
    ("ems", "strict", "summary"),
    [(False, "at risk", AT_RISK), (True, "pass", PASSING)],
    ids=["tls12-without-ems", "tls13"],
)


def serving_good(
    start_server: Callable[[ssl.SSLContext], HTTPSServer], cert: trustme.LeafCert, ems: bool
) -> HTTPSServer:
    """The document on TLS 1.2 without the extended master secret, or (`ems`) on TLS 1.3."""
    server = start_server(server_context(cert) if ems else tls12_context(cert, ems=False))
    server.route(WELL_KNOWN, json_document(GOOD))
    return server


@OS_CASES
def test_the_report_gives_a_verdict_per_os_version(
    start_server: Callable[[ssl.SSLContext], HTTPSServer],
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    tmp_path: Path,
    ems: bool,
    strict: str,
    summary: str,
) -> None:
    server = serving_good(start_server, good_cert, ems)
    path = tmp_path / "ticket.md"
    result = run_cli("verify", DOMAIN, "--report", str(path), *routed(server, ca_bundle))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = path.read_text().splitlines()
    table = lines.index("| iOS/iPadOS | verdict | what devices do |")
    assert lines[table + 1 : table + 6] == [
        "|---|---|---|",
        f"| 15.0-18.1 | pass | {PASSING} |",
        f"| 18.2-26.x | pass | {PASSING} |",
        f"| 27+ | {strict} | {summary} |",
        "",
    ]


@OS_CASES
def test_os_verdicts_survive_the_history_into_the_wizards_export(
    start_server: Callable[[ssl.SSLContext], HTTPSServer],
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    tmp_path: Path,
    ems: bool,
    strict: str,
    summary: str,
) -> None:
    server = serving_good(start_server, good_cert, ems)
    report = verify(options_for(server, ca_bundle))
    state = SetupState(name=DOMAIN, org_id=ORG_ID, domains=[DOMAIN])
    store = Store(tmp_path)
    store.save(state)
    store.record_run(state, [report], [])
    loaded = Store(tmp_path).load(DOMAIN)
    assert loaded is not None
    [read_back] = loaded.last_results
    assert read_back.os_verdicts == report.os_verdicts
    assert [v.verdict for v in read_back.os_verdicts] == ["pass", "pass", strict.replace(" ", "_")]
    lines = markdown_report(loaded).splitlines()
    heading = lines.index(f"### {DOMAIN}: PASS")
    assert lines[heading + 1 : heading + 6] == [
        "",
        f"- iOS/iPadOS 15.0-18.1: pass: {PASSING}",
        f"- iOS/iPadOS 18.2-26.x: pass: {PASSING}",
        f"- iOS/iPadOS 27+: {strict}: {summary}",
        "",
    ]
    # The evidence section renders the same verdicts as `verify --report` does.
    assert f"| 27+ | {strict} | {summary} |" in lines
