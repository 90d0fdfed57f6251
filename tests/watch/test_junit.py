"""`verify --junit FILE`: JUnit XML for CI, read by a JUnit XML library (`junitparser`),
valid XML whatever a server sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.junit_report import read_junit
from tests.support.verifying import report_of
from tests.support.watching import save_setup, serve_good, serve_html, serve_query_dropped
from wizard.core.codes import CheckId, Code
from wizard.core.results import Check
from wizard.core.watch import junit
from wizard.core.watch.outcome import RunOutcome, SetupOutcome

# Every character XML 1.0 refuses even as a reference (C0 controls but tab and line breaks,
# U+FFFE, U+FFFF, a lone surrogate), and markup.
FORBIDDEN = "".join(chr(c) for c in range(32) if c not in (9, 10, 13)) + "\ufffe\uffff\ud800"
HOSTILE = f"<b>&amp;]]>{FORBIDDEN}"


def test_a_suite_per_setup_a_case_per_domain_and_the_failure_with_code_cause_and_fix(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    serve_query_dropped(server, f"eu.{DOMAIN}")
    save_setup(tmp_path, "alpha", [DOMAIN, f"eu.{DOMAIN}"], server, ca_bundle)
    save_setup(tmp_path, "beta", [f"shop.{DOMAIN}"], server, ca_bundle)
    target = tmp_path / "junit.xml"
    result = run_cli("verify", "--all", "--junit", str(target), state=tmp_path)
    assert result.returncode == 1, result.stderr
    alpha, beta = read_junit(target)
    assert (alpha.name, beta.name) == ("alpha", "beta")
    assert [case.name for case in alpha] == [DOMAIN, f"eu.{DOMAIN}"]
    [shop] = list(beta)
    [failure] = shop.result
    assert failure.type == "bad_content_type"
    assert failure.message.startswith("bad_content_type: served as ")
    assert "Cause: catch_all_page" in failure.text and "\nFix: " in failure.text
    # A warning does not fail its case; it is shown beside it.
    warned = list(alpha)[1]
    assert warned.is_passed and "WARN query_not_forwarded" in warned.system_out
    # Never a plain pass: the test settings are said with each case and the suite.
    assert "Checked under test settings: --connect-to" in next(iter(alpha)).system_out
    assert [p.name for p in alpha.properties()] == ["test settings"]  # type: ignore[no-untyped-call]


def test_what_a_server_sends_cannot_make_the_xml_invalid(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """A BaseURL full of characters XML cannot carry, quoted in the failure's summary."""
    document = {"Servers": [{"Version": "mdm-byod", "BaseURL": f"http://x/{HOSTILE}"}]}
    server.route(WELL_KNOWN, json_document(json.dumps(document)))
    target = tmp_path / "junit.xml"
    result = run_cli("verify", DOMAIN, "--junit", str(target), *routed(server, ca_bundle))
    assert result.returncode == 1
    [suite] = read_junit(target)
    assert suite.name == "adue-wizard verify"
    [case] = list(suite)
    [failure] = case.result
    assert failure.type == "bad_config"
    assert "\\x01" in failure.text and "<b>&amp;]]>" in failure.text


def test_every_forbidden_character_is_shown_as_an_escape(tmp_path: Path) -> None:
    report = report_of(DOMAIN, "bad_status")
    report.checks[0] = Check(CheckId.STATUS, "fail", HOSTILE, Code.BAD_STATUS, HOSTILE)
    report.conditions = [f"--user-agent {HOSTILE}"]
    setup = SetupOutcome("alpha", [report], report.conditions)
    target = tmp_path / "junit.xml"
    target.write_bytes(junit.render(RunOutcome([setup], datetime.now(UTC))))
    [suite] = read_junit(target)
    [failure] = next(iter(suite)).result
    assert "\\x00" in failure.message and "\\ufffe" in failure.message
    assert "\\ud800" in failure.text and "Cause: <b>&amp;]]>\\x00" in failure.text
