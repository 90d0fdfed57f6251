"""`adue-wizard verify` as scripts use it: exit codes, JSON lines, one-line errors, safe text."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document

CONTRACT_KEYS = {
    "domain",
    "ok",
    "unknown",
    "failure",
    "conditions",
    "addresses",
    "checks",
    "hops",
    "document",
    "mdm",
    "os_verdicts",
    "elapsed_ms",
    # Not the report's own: which saved setup the line belongs to (null for plain domains).
    "setup",
}
CHECK_KEYS = {"id", "status", "code", "cause", "summary", "remedy", "advice"}
ADVICE_KEYS = {"problem", "fix", "portal_message", "portal"}
HOP_KEYS = {
    "url",
    "status",
    "method",
    "served_by",
    "location",
    "tls",
    "address",
    "ems",
    "cert_not_after",
    "request_headers",
    "response_headers",
    "body_excerpt",
    "certificates",
}


def test_json_lines_in_input_order_and_exit_status(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(f"good.{DOMAIN}{WELL_KNOWN}", json_document(GOOD))
    server.route(f"html.{DOMAIN}{WELL_KNOWN}", json_document("<html>", "text/html"))
    result = run_cli(
        "verify",
        f"ada@good.{DOMAIN}",
        f"https://html.{DOMAIN}/x",
        "--json",
        *routed(server, ca_bundle),
    )
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["domain"] for line in lines] == [f"good.{DOMAIN}", f"html.{DOMAIN}"]
    good, html = lines
    assert set(good) == CONTRACT_KEYS
    assert all(set(c) == CHECK_KEYS for c in good["checks"])
    assert good["ok"] is True and good["failure"] is None and good["setup"] is None
    [hop] = good["hops"]
    assert set(hop) == HOP_KEYS and hop["status"] == 200 and hop["served_by"] is None
    assert ["User-Agent", "DeviceManagementClient/1.0"] in hop["request_headers"]
    assert ["Content-Type", "application/json"] in hop["response_headers"]
    assert html["ok"] is False and html["failure"] == "bad_content_type"
    failing = next(c for c in html["checks"] if c["status"] == "fail")
    # An HTML page where the document should be: the file or rule is missing, whatever the
    # MIME type would be, so the fix does not talk about MIME types.
    assert failing["cause"] == "catch_all_page"
    assert "HTML page answered" in failing["remedy"]
    # No MDM named, none recognised: no portal's message (JumpCloud's only for JumpCloud).
    assert "JumpCloud" not in failing["remedy"]
    assert set(failing["advice"]) == ADVICE_KEYS
    assert failing["remedy"].startswith(failing["advice"]["problem"])
    assert failing["advice"]["portal_message"] is None


def test_all_passing_exits_zero_and_prints_a_readable_report(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli("verify", DOMAIN, *routed(server, ca_bundle), env={"NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{DOMAIN}: PASS" in result.stdout
    assert "PASS  Content-Type: application/json" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["verify", "not a domain"], "space"),
        (["verify", "10.0.0.1"], "IP address"),
        (["verify", "localhost"], "single-label"),
        (["verify", "example.com", "--org-id", "XYZ"], "24 lowercase hex"),
        (["verify", "example.com", "--json", "--org-id", "5F1B2C3D4E5F6A7B8C9D0E1G"], "hex"),
        (["verify", "example.com", "--timeout", "-1"], "--timeout"),
        (["verify", "example.com", "--connect-to", "nonsense"], "HOST1:PORT1:HOST2:PORT2"),
        (["verify", "example.com", "--ca-bundle", "/nonexistent.pem"], "no such file"),
        (["verify", "example.com", "--model-family", "Toaster"], "model-family"),
        (["verify"], "needs a domain"),
        (["verify", "--bogus"], "unknown option"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], mentions: str) -> None:
    started = time.monotonic()
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mentions in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_unresolvable_domain_is_exit_1_with_its_json_line() -> None:
    result = run_cli("verify", "nothing-here.invalid", "--json")
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert json.loads(line)["failure"] == "invalid_domain"


def test_server_text_is_shown_literally_never_as_markup_or_escapes(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    hostile = "https://mdm.example.test/[bold red]x[/]\x1b]0;pwned\x07\x1b[2J"
    document = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": hostile}]})
    server.route(WELL_KNOWN, json_document(document, "text/[blink]html\x1b[31m"))
    text = run_cli("verify", DOMAIN, *routed(server, ca_bundle), env={"NO_COLOR": "1"})
    assert text.returncode == 1
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    assert "text/[blink]html\\x1b[31m" in text.stdout
    as_json = run_cli("verify", DOMAIN, "--json", *routed(server, ca_bundle))
    [line] = as_json.stdout.splitlines()
    assert "\x1b" not in line
    assert json.loads(line)["document"]["Servers"][0]["BaseURL"] == hostile


def test_org_id_checks_jumpcloud_rules(server: HTTPSServer, ca_bundle: Path) -> None:
    adde = json.dumps(
        {"Servers": [{"Version": "mdm-adde", "BaseURL": "https://mdm.example.test/"}]}
    )
    server.route(WELL_KNOWN, json_document(adde))
    result = run_cli("verify", DOMAIN, "--json", "--org-id", ORG_ID, *routed(server, ca_bundle))
    assert result.returncode == 1
    assert json.loads(result.stdout)["failure"] == "bad_config"


def test_verify_does_not_import_textual(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    argv = ["verify", DOMAIN, "--json", *routed(server, ca_bundle)]
    code = (
        "import sys\n"
        "import wizard.cli as cli\n"
        f"rc = cli.main({argv!r})\n"
        "leaked = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not leaked, leaked\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
