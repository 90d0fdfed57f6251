"""A webhook URL is a secret (its path is the token): saved 0600 apart from the setup, never
in the history, a report, the setup file or any output, and never shown in full."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.webhooks import SECRET, messages, watched_setup, webhook_on
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.core.setups.webhooks import FILE_NAME


def test_the_url_is_only_in_its_private_file_and_in_no_output(
    server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path, isolated_state: Path, tmp_path: Path
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    outputs = []

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        result = run_cli(*args, state=isolated_state)
        outputs.append(result.stdout + result.stderr)
        return result

    assert command("notify", "add", DOMAIN, url).returncode == 0
    server.route(WELL_KNOWN, json_document(GOOD))
    command("verify", "--setup", DOMAIN, "--json")
    server.route(WELL_KNOWN, respond(404, "nope"))
    report = tmp_path / "report.md"
    command("verify", "--setup", DOMAIN, "--report", str(report), "--notify", url + "x")
    command("verify", "--setup", DOMAIN, "--json", "--notify", url + "x")
    command("status", "--json")
    command("status")
    command("history", DOMAIN, "--json")
    command("notify", "list")
    command("notify", "list", DOMAIN)
    command("notify", "test", DOMAIN)
    assert len(messages(relay)) == 2  # the change, and the test message
    assert all(SECRET not in output for output in outputs)
    assert f"http://127.0.0.1:{relay.port}/..." in outputs[0]
    assert SECRET not in report.read_text()

    holding = [path.name for path in isolated_state.rglob("*") if SECRET.encode() in _bytes(path)]
    assert holding == [FILE_NAME]
    assert stat.S_IMODE((isolated_state / FILE_NAME).stat().st_mode) == 0o600
    setup_file = isolated_state / f"{DOMAIN}.setup.json"
    assert "webhook" not in setup_file.read_text()


def test_a_url_read_from_stdin_never_reaches_the_process_list(
    relay: HTTPSServer, server: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    url = webhook_on(relay)
    added = subprocess.run(
        [sys.executable, "-m", "wizard", "notify", "add", DOMAIN, "-"],
        input=f"  {url}  \n",
        capture_output=True,
        text=True,
        env={**os.environ, "ADUE_WIZARD_STATE_DIR": str(isolated_state)},
    )
    assert added.returncode == 0, added.stderr
    assert f"Saved webhook 1 of {DOMAIN}" in added.stdout and SECRET not in added.stdout
    listed = run_cli("notify", "list", state=isolated_state)
    assert listed.stdout.splitlines() == [DOMAIN, f"  1. http://127.0.0.1:{relay.port}/..."]


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (f"http://hooks.example.com/{SECRET}", "must be https://"),
        (f"http://10.1.2.3:8080/{SECRET}", "must be https://"),
        (f"ftp://hooks.example.com/{SECRET}", "must be an https:// URL"),
        (f"https://hooks.example.com/{SECRET} extra", "space or control character"),
        (f"https:///{SECRET}", "must be an https:// URL"),
        (f"https://hooks.example.com:99999/{SECRET}", "not a valid URL"),
    ],
)
def test_a_url_that_cannot_be_posted_to_is_refused_without_showing_it(
    url: str, said: str, isolated_state: Path
) -> None:
    Store(isolated_state).save(SetupState(name=DOMAIN, domains=[DOMAIN]))
    for command in (["notify", "add", DOMAIN, url], ["verify", "--setup", DOMAIN, "--notify", url]):
        result = run_cli(*command, state=isolated_state)
        assert result.returncode == 2
        line = one_line(result.stderr)
        assert said in line and SECRET not in line
    assert not (isolated_state / FILE_NAME).exists()


def test_http_is_accepted_to_loopback_only(isolated_state: Path) -> None:
    Store(isolated_state).save(SetupState(name=DOMAIN, domains=[DOMAIN]))
    for url in ("http://127.0.0.1:8080/x", "http://[::1]:8080/x", "http://localhost/x"):
        assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    listed = run_cli("notify", "list", DOMAIN, state=isolated_state).stdout.splitlines()
    assert listed[1:] == [
        "  1. http://127.0.0.1:8080/...",
        "  2. http://[::1]:8080/...",
        "  3. http://localhost/...",
    ]


def test_webhooks_follow_a_renamed_setup(isolated_state: Path) -> None:
    Store(isolated_state).save(SetupState(name=DOMAIN, domains=[DOMAIN]))
    url = f"https://hooks.example.com/{SECRET}"
    assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    assert run_cli("rename", DOMAIN, "renamed", state=isolated_state).returncode == 0
    listed = run_cli("notify", "list", state=isolated_state).stdout.splitlines()
    assert listed == ["renamed", "  1. https://hooks.example.com/..."]


def test_a_damaged_webhooks_file_is_said_in_one_line_and_the_run_stands(
    server: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    watched_setup(isolated_state, server, ca_bundle)
    (isolated_state / FILE_NAME).write_text('{"webhooks": {"x": ["https://a/' + SECRET + '"')
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli("verify", "--setup", DOMAIN, state=isolated_state)
    assert result.returncode == 0
    [said] = [line for line in result.stderr.splitlines() if FILE_NAME in line]
    assert "cannot read the saved webhooks" in said and SECRET not in result.stderr
    listed = run_cli("notify", "list", state=isolated_state)
    assert listed.returncode == 1 and SECRET not in listed.stderr


def _bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""
