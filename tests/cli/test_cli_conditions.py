"""Test settings are never hidden: every output of `adue-wizard verify` says what a run was
made under, and a saved setup's settings are announced (or dropped on request)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.commands import routed, run_cli
from tests.support.constants import DISCOVERY, DOMAIN, GOOD, JUMPCLOUD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, redirect
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.resolve import Resolve


def test_conditions_are_written_as_on_the_command_line() -> None:
    options = VerifyOptions(
        connect_to=(ConnectTo("example.com", 443, "127.0.0.1", 8443),),
        resolve=(Resolve("lb.test", 8443, ("127.0.0.1", "::1")),),
        ca_bundle="/tmp/my ca.pem",
        user_agent="Probe/2 (test)",
    )
    assert options.conditions() == [
        "--connect-to example.com:443:127.0.0.1:8443",
        "--resolve 'lb.test:8443:127.0.0.1,[::1]'",
        "--ca-bundle '/tmp/my ca.pem'",
        "--user-agent 'Probe/2 (test)'",
    ]
    assert VerifyOptions().conditions() == []


def test_text_says_test_settings_first_and_never_a_plain_pass(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli(
        "verify", DOMAIN, f"other.{DOMAIN}", *routed(server, ca_bundle), env={"NO_COLOR": "1"}
    )
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first == (
        f"Checked under test settings: --connect-to :443:127.0.0.1:{server.port}; "
        f"--ca-bundle {ca_bundle}; a device on the internet may see something else"
    )
    assert f"{DOMAIN}: PASS (passed under test settings)" in rest[0]
    assert rest[-1] == "2 domains: 2 passed under test settings, 0 failed"


def test_json_lists_conditions_and_addresses(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli(
        "verify", DOMAIN, "--json", "--user-agent", "Probe/2", *routed(server, ca_bundle)
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["conditions"] == [
        f"--connect-to :443:127.0.0.1:{server.port}",
        f"--ca-bundle {ca_bundle}",
        "--user-agent Probe/2",
    ]
    assert line["addresses"] == [
        {"address": "127.0.0.1", "family": "IPv4", "ok": True, "failure": None}
    ]
    assert server.requests[0].headers["user-agent"] == "Probe/2"


def test_no_conditions_is_an_empty_list() -> None:
    result = run_cli("verify", "nothing-here.invalid", "--json")
    assert json.loads(result.stdout)["conditions"] == []
    assert json.loads(result.stdout)["addresses"] == []


def test_resolve_pins_several_addresses_from_the_command_line(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    # 127.0.0.2 has no server on this port: refused; the order is the rule's.
    result = run_cli(
        "verify",
        DOMAIN,
        "--json",
        "--connect-to",
        f"{DOMAIN}:443:lb.test:{server.port}",
        "--resolve",
        f"lb.test:{server.port}:127.0.0.1,127.0.0.2",
        "--ca-bundle",
        str(ca_bundle),
    )
    assert result.returncode == 1, result.stderr
    line = json.loads(result.stdout)
    assert line["failure"] == "connect_failed"
    assert [a["ok"] for a in line["addresses"]] == [True, False]
    assert f"--resolve lb.test:{server.port}:127.0.0.1,127.0.0.2" in line["conditions"]
    dns = line["checks"][0]
    assert dns["status"] == "skip" and "--resolve" in dns["summary"]


def test_resolve_on_the_domain_itself_replaces_dns() -> None:
    # Nothing listens on 127.0.0.9:443: refused, but from the rule's address, not DNS's.
    result = run_cli("verify", DOMAIN, "--json", "--resolve", f"{DOMAIN}:443:127.0.0.9")
    line = json.loads(result.stdout)
    dns = line["checks"][0]
    assert dns["status"] == "skip"
    assert (
        dns["summary"] == f"--resolve {DOMAIN}:443:127.0.0.9 gives the addresses for {DOMAIN}:443"
    )
    assert line["addresses"] == [
        {"address": "127.0.0.9", "family": "IPv4", "ok": False, "failure": "connect_failed"}
    ]
    assert line["conditions"] == [f"--resolve {DOMAIN}:443:127.0.0.9"]


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--resolve", "example.com:443"], "HOST:PORT:ADDR"),
        (["--resolve", "example.com:443:not-an-ip"], "not an IP address"),
        (["--resolve", "example.com:99999:192.0.2.1"], "out of range"),
        (["--user-agent", "two\nlines"], "--user-agent"),
        (["--user-agent", ""], "--user-agent"),
    ],
)
def test_bad_new_flags_are_one_line_and_exit_2(args: list[str], mentions: str) -> None:
    result = run_cli("verify", "example.com", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mentions in result.stderr and "Traceback" not in result.stderr


def _saved(tmp_path: Path, server: HTTPSServer, ca_bundle: Path) -> None:
    settings = VerifySettings(
        connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=3.0
    )
    Store(tmp_path).save(
        SetupState(name=DOMAIN, org_id=ORG_ID, domains=[DOMAIN], settings=settings)
    )


def test_saved_test_settings_are_announced_on_stderr(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, redirect(f"https://{JUMPCLOUD}{DISCOVERY}"))
    _saved(tmp_path, server, ca_bundle)
    result = run_cli("verify", "--json", env={"ADUE_WIZARD_STATE_DIR": str(tmp_path)})
    assert result.stderr.startswith(
        f"adue-wizard: setup '{DOMAIN}' checks under its saved test settings: "
        f"--connect-to :443:127.0.0.1:{server.port}; --ca-bundle {ca_bundle} "
    )
    assert "--no-saved-settings" in result.stderr
    line = json.loads(result.stdout)
    assert len(line["conditions"]) == 2
    # The saved JumpCloud organization applies: the chain loses it, so this fails.
    assert line["failure"] == "wrong_org_id"


def test_no_saved_settings_checks_as_a_device_would(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    _saved(tmp_path, server, ca_bundle)
    result = run_cli(
        "verify",
        "--setup",
        DOMAIN,
        "--json",
        "--no-saved-settings",
        env={"ADUE_WIZARD_STATE_DIR": str(tmp_path)},
    )
    assert "saved test settings" not in result.stderr
    line = json.loads(result.stdout)
    assert line["conditions"] == []
    assert line["failure"] == "invalid_domain"  # example.test does not resolve in DNS
    assert server.requests == []
