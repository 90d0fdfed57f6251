"""A webhook that hangs, refuses or answers an error costs one line on stderr (its URL
hidden) and a few seconds at most; the run is recorded and its exit status stands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.commands import run_cli
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.webhooks import (
    SECRET,
    messages,
    never_answers,
    refusing_url,
    watched_setup,
    webhook_on,
)
from wizard.core.watch.notify import NOTIFY_SECONDS

# Start-up, the check itself and recording, on a loaded machine: far below a hang.
RUN_SLACK_S = 8.0


@pytest.mark.parametrize(("broken_to", "exit_status"), [("fail", 1), ("pass", 0)])
def test_hanging_and_refusing_webhooks_cost_one_line_each_and_the_run_stands(
    server: HTTPSServer,
    relay: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
    broken_to: str,
    exit_status: int,
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    hanging = webhook_on(relay, never_answers(), path="hangs/" + SECRET)
    refusing = refusing_url()
    working = webhook_on(relay)
    for url in (hanging, refusing, working):
        assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    failing, passing = respond(404, "nope"), json_document(GOOD)
    server.route(WELL_KNOWN, failing if broken_to == "pass" else passing)
    assert run_cli("verify", "--setup", DOMAIN, state=isolated_state).returncode != exit_status
    server.route(WELL_KNOWN, passing if broken_to == "pass" else failing)

    started = time.monotonic()
    result = run_cli("verify", "--setup", DOMAIN, state=isolated_state)
    elapsed = time.monotonic() - started

    assert result.returncode == exit_status
    assert elapsed < NOTIFY_SECONDS + RUN_SLACK_S
    said = [line for line in result.stderr.splitlines() if "webhook" in line]
    assert said == [
        f"adue-wizard: webhook http://127.0.0.1:{relay.port}/... not delivered: "
        f"no answer within {NOTIFY_SECONDS:g} s",
        f"adue-wizard: webhook {refusing.split('/' + SECRET)[0]}/... not delivered: "
        "could not connect (All connection attempts failed)",
    ]
    assert SECRET not in result.stdout + result.stderr
    # The working one heard the change, and the run was recorded.
    assert [message["to"] for message in messages(relay)] == [broken_to]
    history = run_cli("history", DOMAIN, "--json", state=isolated_state)
    assert len(history.stdout.splitlines()) == 2


def test_a_webhook_answering_an_error_is_named_with_its_status(
    server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    # Slack's answer for a webhook that was removed.
    gone = webhook_on(relay, respond(404, "no_service", {"Content-Type": "text/html"}))
    server.route(WELL_KNOWN, json_document(GOOD))
    run_cli("verify", "--setup", DOMAIN, "--notify", gone, state=isolated_state)
    server.route(WELL_KNOWN, respond(404, "nope"))
    result = run_cli("verify", "--setup", DOMAIN, "--notify", gone, state=isolated_state)
    assert result.returncode == 1
    assert (
        f"adue-wizard: webhook http://127.0.0.1:{relay.port}/... not delivered: it answered 404"
        in result.stderr.splitlines()
    )
    assert SECRET not in result.stderr


def test_under_nagios_a_webhook_not_delivered_is_a_line_of_the_output_not_stderr(
    server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    """A monitoring system reads a plugin's stdout only: the line is there, below the
    status, and the status is the check's own (CRITICAL for the failure, not UNKNOWN)."""
    watched_setup(isolated_state, server, ca_bundle)
    gone = webhook_on(relay, respond(404, "no_service", {"Content-Type": "text/html"}))
    assert run_cli("notify", "add", DOMAIN, gone, state=isolated_state).returncode == 0
    server.route(WELL_KNOWN, json_document(GOOD))
    run_cli("verify", "--setup", DOMAIN, state=isolated_state)
    server.route(WELL_KNOWN, respond(404, "nope"))
    result = run_cli("verify", "--setup", DOMAIN, "--format", "nagios", state=isolated_state)
    assert (result.returncode, result.stderr) == (2, "")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ADUE CRITICAL - ")
    assert f"webhook http://127.0.0.1:{relay.port}/... not delivered: it answered 404" in lines[1:]
    assert SECRET not in result.stdout
