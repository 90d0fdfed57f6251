"""A message when a domain's state changes, and only then: a webhook receiver on loopback
counts what `verify --setup` posts across runs, as an hourly timer would make them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import run_cli, run_in_process
from tests.support.constants import BASE_URL, DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.verifying import report_of
from tests.support.webhooks import SECRET, messages, watched_setup, webhook_on
from wizard.core.setups.runs import changes
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.core.watch.notify import MAX_MESSAGES, change_messages, claim_changes

FIELDS = {
    "text",
    "setup",
    "domain",
    "from",
    "to",
    "failure",
    "previous_failure",
    "cause",
    "warning",
    "at",
}
NOT_FOUND = respond(404, "<html>Not Found</html>", {"Content-Type": "text/html"})


def verify_setup(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run_in_process(capsys, "verify", "--setup", DOMAIN, *extra)


def test_pass_fail_fail_pass_sends_two_messages(
    server: HTTPSServer,
    relay: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    nothing = run_cli("notify", "add", DOMAIN, "-", state=isolated_state)  # stdin is empty
    assert nothing.returncode == 2 and "no webhook URL given" in nothing.stderr
    added = subprocess.run(
        [sys.executable, "-m", "wizard", "notify", "add", DOMAIN],
        input=url + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "ADUE_WIZARD_STATE_DIR": str(isolated_state)},
    )
    assert added.returncode == 0, added.stderr
    counted: list[int] = []
    for document, exit_status in (
        (json_document(GOOD), 0),  # the first run: nothing to compare with
        (NOT_FOUND, 1),  # pass to fail
        (NOT_FOUND, 1),  # still the same failure
        (json_document(GOOD), 0),  # fail to pass
    ):
        server.route(WELL_KNOWN, document)
        code, out, err = verify_setup(capsys)
        assert code == exit_status, err
        assert SECRET not in out + err
        counted.append(len(messages(relay)))
    assert counted == [0, 1, 1, 2]

    broke, mended = messages(relay)
    assert set(broke) == set(mended) == FIELDS
    assert broke["setup"] == broke["domain"] == DOMAIN
    assert (broke["from"], broke["to"]) == ("pass", "fail")
    assert (broke["failure"], broke["previous_failure"]) == ("bad_status", None)
    assert broke["cause"] is not None  # what answered: the diagnosis names it
    assert DOMAIN in broke["text"] and "bad_status" in broke["text"]
    assert f"verify --setup {DOMAIN}" in broke["text"]
    assert (mended["from"], mended["to"]) == ("fail", "pass")
    assert (mended["failure"], mended["previous_failure"], mended["cause"]) == (
        None,
        "bad_status",
        None,
    )
    assert "passes again" in mended["text"] and "bad_status" in mended["text"]
    assert mended["at"] >= broke["at"]


def test_a_domain_pointed_at_another_mdm_is_heard_of_once(
    server: HTTPSServer,
    relay: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Still a pass, but the BaseURL switched: one message (`changed_since_pass`), then
    nothing while the new document stays."""
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    switched = GOOD.replace(BASE_URL, "https://enroll.acme.test/byod")
    assert switched != GOOD
    counted = []
    for document in (GOOD, GOOD, switched, switched):
        server.route(WELL_KNOWN, json_document(document))
        code, _, err = verify_setup(capsys, "--notify", url)
        assert code == 0, err
        counted.append(len(messages(relay)))
    assert counted == [0, 0, 1, 1]
    [moved] = messages(relay)
    assert set(moved) == FIELDS
    assert (moved["from"], moved["to"], moved["warning"]) == ("pass", "pass", "changed_since_pass")
    assert moved["failure"] is None and moved["previous_failure"] is None
    assert "still passes, but what it serves changed" in moved["text"]
    assert "https://enroll.acme.test/byod" in moved["text"]


def test_one_failure_turning_into_another_is_a_change(
    server: HTTPSServer,
    relay: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    server.route(WELL_KNOWN, NOT_FOUND)
    assert verify_setup(capsys, "--notify", url)[0] == 1
    assert messages(relay) == []  # a first run, failing: nothing changed from anything
    # The same document, now as an HTML page: another failure code.
    server.route(WELL_KNOWN, json_document(GOOD, "text/html"))
    assert verify_setup(capsys, "--notify", url)[0] == 1
    [changed] = messages(relay)
    assert (changed["from"], changed["to"]) == ("fail", "fail")
    assert (changed["failure"], changed["previous_failure"]) == ("bad_content_type", "bad_status")
    assert "bad_content_type" in changed["text"] and "no longer with bad_status" in changed["text"]


def test_a_command_line_url_and_a_saved_one_each_hear_a_change_once(
    server: HTTPSServer,
    relay: HTTPSServer,
    ca_bundle: Path,
    isolated_state: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    saved = webhook_on(relay, path="saved/token1")
    given = webhook_on(relay, path="given/token2")
    assert run_in_process(capsys, "notify", "add", DOMAIN, saved)[0] == 0
    server.route(WELL_KNOWN, json_document(GOOD))
    verify_setup(capsys)
    server.route(WELL_KNOWN, NOT_FOUND)
    # The saved URL given again on the command line is posted to once.
    verify_setup(capsys, "--notify", given, "--notify", saved)
    assert len(messages(relay, "saved/token1")) == len(messages(relay, "given/token2")) == 1


def test_two_runs_at_once_send_one_message_per_change(
    server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    """A timer and an admin run the same check at the same moment: both runs are
    recorded, and the change they both saw is announced once."""
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    server.route(WELL_KNOWN, json_document(GOOD))
    assert run_cli("verify", "--setup", DOMAIN, state=isolated_state).returncode == 0
    server.route(WELL_KNOWN, NOT_FOUND)
    env = {**os.environ, "ADUE_WIZARD_STATE_DIR": str(isolated_state)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "wizard", "verify", "--setup", DOMAIN, "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(4)
    ]
    assert [run.wait(60) for run in runs] == [1, 1, 1, 1]
    history = run_cli("history", DOMAIN, "--json", state=isolated_state)
    assert len(history.stdout.splitlines()) == 5
    [message] = messages(relay)
    assert (message["from"], message["to"]) == ("pass", "fail")


def test_a_change_is_claimed_once_and_a_first_run_has_none(isolated_state: Path) -> None:
    store = Store(isolated_state)
    setup = SetupState(name="claims.example", domains=["a.example", "b.example"])
    store.save(setup)
    first = store.record_run(setup, [report_of("a.example"), report_of("b.example")], [])
    assert claim_changes(store.history, setup.name, first)[1] == []
    second = store.record_run(
        setup, [report_of("a.example", "bad_status"), report_of("b.example")], []
    )
    changes = claim_changes(store.history, setup.name, second)[1]
    assert [(c.domain, c.was_ok, c.now_ok, c.failure) for c in changes] == [
        ("a.example", True, False, "bad_status")
    ]
    # Asked again (a retry, or a second process deciding on the same run): nothing left.
    assert claim_changes(store.history, setup.name, second)[1] == []
    # A domain added since the run before has no state to change from.
    setup.domains.append("c.example")
    third = store.record_run(
        setup,
        [report_of("a.example"), report_of("b.example"), report_of("c.example", "timeout")],
        [],
    )
    assert [c.domain for c in claim_changes(store.history, setup.name, third)[1]] == ["a.example"]


def test_this_machines_resolver_failing_is_no_change_either_way(isolated_state: Path) -> None:
    """pass, resolver_failed, pass: nothing to announce (the outage said nothing of the
    domain); pass, resolver_failed, fail: one change, from the pass before the outage."""
    store = Store(isolated_state)
    setup = SetupState(name="dns.example", domains=["a.example"])
    store.save(setup)

    def run(failure: str | None) -> list[tuple[bool, bool, str | None]]:
        run_id = store.record_run(setup, [report_of("a.example", failure)], [])
        claimed = claim_changes(store.history, setup.name, run_id)[1]
        return [(c.was_ok, c.now_ok, c.failure) for c in claimed]

    assert run(None) == []
    assert report_of("a.example", "resolver_failed").unknown
    assert run("resolver_failed") == []
    assert run(None) == []
    assert run("resolver_failed") == []
    assert run("bad_status") == [(True, False, "bad_status")]
    assert run("resolver_failed") == []
    assert run("bad_status") == []  # still failing as before the outage
    assert run(None) == [(False, True, None)]
    recorded = store.history.runs(setup.name, None)
    states = [
        [(change.before, change.after) for change in found]
        for _, found in changes(list(reversed(recorded)))
    ]
    assert states == [[(None, "pass")], [("pass", "bad_status")], [("bad_status", "pass")]]


def test_a_mass_failure_sends_a_bounded_number_of_messages(isolated_state: Path) -> None:
    """An MDM's outage fails every domain at once: the channel gets MAX_MESSAGES messages,
    the last one counting the rest, not one per domain."""
    store = Store(isolated_state)
    domains = [f"d{number}.example" for number in range(40)]
    setup = SetupState(name="msp.example", domains=domains)
    store.save(setup)
    store.record_run(setup, [report_of(d) for d in domains], [])
    failing = [report_of(d, "timeout") for d in domains]
    run_id = store.record_run(setup, failing, [])
    at, changes = claim_changes(store.history, setup.name, run_id)
    sent = change_messages(setup.name, changes, failing, at)
    assert len(changes) == 40 and len(sent) == MAX_MESSAGES
    assert all(set(message) == FIELDS for message in sent)
    rest = sent[-1]
    assert rest["domain"] is None and "31 more domains" in rest["text"]
    assert f"history {setup.name}" in rest["text"]


def test_notify_without_a_setup_is_refused_in_one_line(
    relay: HTTPSServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = webhook_on(relay)
    code, out, err = run_in_process(capsys, "verify", DOMAIN, "--notify", url)
    assert code == 2 and out == ""
    assert "--notify needs a saved setup" in err and len(err.splitlines()) == 1
    assert messages(relay) == []
