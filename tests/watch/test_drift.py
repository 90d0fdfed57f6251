"""Drift: a saved setup's domain that still passes but serves another document, or ends its
redirects elsewhere, than at its last pass gets the warning `changed_since_pass`, with what
changed before and after; in `verify`'s text and JSON, the recorded run, and the wizard."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.commands import run_in_process
from tests.support.constants import BASE_URL, DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import Handler, HTTPSServer, Request, json_document, respond
from tests.support.webhooks import watched_setup
from tests.support.wizard_app import make_app, saved_setup, shown_text, started
from wizard.core.codes import Code
from wizard.core.setups.store import Store
from wizard.tui.screens.verify import VerifyScreen

OTHER_MDM = "https://enroll.acme.test/byod"
SWITCHED = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": OTHER_MDM}]})


def verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run_in_process(capsys, "verify", "--setup", DOMAIN, *extra)


def warnings_of(json_line: str) -> list[dict[str, object]]:
    return [check for check in json.loads(json_line)["checks"] if check["status"] == "warn"]


def test_a_switched_base_url_is_said_with_before_and_after(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    server.route(WELL_KNOWN, json_document(GOOD))
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and warnings_of(out) == []  # the first pass: nothing to compare with

    server.route(WELL_KNOWN, json_document(SWITCHED))
    code, out, _ = verify(capsys, "--json")
    assert code == 0  # a warning never turns a pass into a fail
    [warning] = warnings_of(out)
    assert warning["id"] == "config" and warning["code"] == "changed_since_pass"
    summary = str(warning["summary"])
    assert summary.startswith("changed since the last pass (")
    assert f'Servers[0].BaseURL was "{BASE_URL}", now "{OTHER_MDM}"' in summary
    assert "another MDM" in str(warning["remedy"])

    # The recorded run keeps the warning (what `status` and the wizard read back).
    stored = Store(isolated_state).load(DOMAIN)
    assert stored is not None
    [report] = stored.last_results
    assert report.ok and [c.code for c in report.checks if c.status == "warn"] == [
        Code.CHANGED_SINCE_PASS
    ]

    # What is served now is the new normal: the next pass compares with it.
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and warnings_of(out) == []


def test_the_text_report_shows_the_warning_and_its_advice(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    server.route(WELL_KNOWN, json_document(GOOD))
    verify(capsys)
    server.route(WELL_KNOWN, json_document(SWITCHED))
    code, out, _ = verify(capsys)
    assert code == 0
    assert "WARN  Version and BaseURL: changed since the last pass" in out
    assert f'now "{OTHER_MDM}"' in out
    assert "Why: What this domain serves changed since its last passing check" in out
    assert "Fix: Confirm the change was intended" in out


def test_key_order_and_whitespace_are_no_change(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    server.route(WELL_KNOWN, json_document(GOOD))
    verify(capsys, "--json")
    [server_entry] = json.loads(GOOD)["Servers"]
    reordered = {"Servers": [{"BaseURL": server_entry["BaseURL"], "Version": "mdm-byod"}]}
    server.route(WELL_KNOWN, json_document(json.dumps(reordered, indent=4) + "\n\n"))
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and warnings_of(out) == []


def test_a_pass_after_failures_is_compared_with_the_last_pass(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    server.route(WELL_KNOWN, json_document(GOOD))
    verify(capsys)
    server.route(WELL_KNOWN, respond(404, "gone"))
    assert verify(capsys)[0] == 1
    server.route(WELL_KNOWN, json_document(SWITCHED))
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and [w["code"] for w in warnings_of(out)] == ["changed_since_pass"]


def forwarding_redirect(path: str) -> Handler:
    """A 301 to `path` on the MDM's host, carrying the device's query as a good rule does."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        query = request.target.partition("?")[2]
        location = f"https://mdm.example.test{path}?{query}"
        await respond(301, "", {"Location": location})(request, writer)

    return handler


def test_a_changed_redirect_target_is_said_with_before_and_after(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    for path in ("/discover/org-a", "/discover/org-b"):
        server.route(path, json_document(GOOD))
    server.route(WELL_KNOWN, forwarding_redirect("/discover/org-a"))
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and warnings_of(out) == []

    server.route(WELL_KNOWN, forwarding_redirect("/discover/org-b"))
    code, out, _ = verify(capsys, "--json")
    assert code == 0
    [warning] = warnings_of(out)
    assert warning["id"] == "redirects" and warning["code"] == "changed_since_pass"
    # The device's query (the probe's user) is no part of the target compared; what the
    # check itself said follows in brackets.
    assert (
        "the redirects ended at https://mdm.example.test/discover/org-a, "
        "now at https://mdm.example.test/discover/org-b (1 redirect"
    ) in str(warning["summary"])


def test_other_test_settings_are_not_compared(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check against a staging server (other --connect-to) is not drift from production."""
    watched_setup(isolated_state, server, ca_bundle)
    server.route(WELL_KNOWN, json_document(GOOD))
    verify(capsys)
    server.route(WELL_KNOWN, json_document(SWITCHED))
    staging = ["--user-agent", "Staging/1.0"]
    code, out, _ = verify(capsys, "--json", *staging)
    assert code == 0 and warnings_of(out) == []


async def test_the_wizard_shows_the_warning_on_its_verify_step(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle)  # saved at its Verify step
    server.route(WELL_KNOWN, json_document(GOOD))
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await app.writes_done()
        server.route(WELL_KNOWN, json_document(SWITCHED))
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = shown_text(app)
        await app.writes_done()
    assert f"{DOMAIN}  PASS" in text
    assert "Version and BaseURL: changed since the last pass" in text
    assert f'now "{OTHER_MDM}"' in text
    assert "Confirm the change was intended" in text
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None and stored.summary.runs == 2
    assert any(c.code == Code.CHANGED_SINCE_PASS for c in stored.last_results[0].checks)


def test_a_config_check_that_warns_already_keeps_its_code_beside_the_drift(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key besides Version and BaseURL warns on the config check; a changed BaseURL must
    still show its own code, since scripts alert on the codes."""
    watched_setup(isolated_state, server, ca_bundle)
    before = {"Servers": [{"Version": "mdm-byod", "BaseURL": BASE_URL, "Extra": 1}]}
    after = {"Servers": [{"Version": "mdm-byod", "BaseURL": OTHER_MDM, "Extra": 1}]}
    server.route(WELL_KNOWN, json_document(json.dumps(before)))
    code, out, _ = verify(capsys, "--json")
    assert code == 0 and [w["code"] for w in warnings_of(out)] == ["unexpected_keys"]
    server.route(WELL_KNOWN, json_document(json.dumps(after)))
    code, out, _ = verify(capsys, "--json")
    assert code == 0
    warned = [(w["id"], w["code"]) for w in warnings_of(out)]
    assert warned == [("config", "unexpected_keys"), ("config", "changed_since_pass")]
