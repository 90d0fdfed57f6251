"""How the command line and the wizard meet a terminal: the report wraps to the terminal's
width there and not at all in a pipe, keys are listed on F1, Next on Done changes nothing,
and file, number and BOM inputs get a message that says what is wrong."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.support.commands import run_cli
from tests.support.constants import DOMAIN, ORG_ID, WELL_KNOWN, WELL_KNOWN_FILE
from tests.support.https_server import HTTPSServer, json_document
from tests.support.wizard_app import make_app, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

HTML = "<html><body>Welcome to our shop</body></html>"


def _verify_args(server: HTTPSServer, ca_bundle: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "wizard",
        "verify",
        DOMAIN,
        "--connect-to",
        f":443:127.0.0.1:{server.port}",
        "--ca-bundle",
        str(ca_bundle),
    ]


def _on_a_terminal(command: list[str], columns: int) -> str:
    """Run `command` with its stdout on a pseudo-terminal `columns` wide; what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    process = subprocess.Popen(
        command, stdout=follower, stderr=subprocess.DEVNULL, env={**env, "NO_COLOR": "1"}
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_the_report_wraps_on_a_terminal_and_not_in_a_pipe(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(HTML, "text/html"))
    on_terminal = _on_a_terminal(_verify_args(server, ca_bundle), 60)
    assert "FAIL" in on_terminal
    long_lines = [line for line in on_terminal.splitlines() if len(line) > 60]
    # Only what cannot be broken (a URL) may be longer than the terminal.
    assert all(" " not in line.strip() or "https://" in line for line in long_lines), long_lines
    piped = subprocess.run(
        _verify_args(server, ca_bundle), capture_output=True, text=True, timeout=30
    ).stdout
    remedy = next(line for line in piped.splitlines() if line.strip().startswith("Cause:"))
    assert len(remedy) > 100  # one whole line: a script or a reader gets it unbroken
    assert piped.count("\n") < on_terminal.count("\n")


async def test_f1_lists_the_keys_and_next_on_done_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save(SetupState(name=DOMAIN, domains=[DOMAIN], org_id=ORG_ID, step="done"))
    report = Path.home() / f"adue-wizard-{DOMAIN}.md"
    existed = report.exists()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query("KeysPanel")
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query("KeysPanel")
        await pilot.press("enter")  # resume at Done
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("last step" in message for message in messages)
    assert report.exists() == existed  # no report written behind the admin's back


def test_a_directory_where_a_file_goes_and_negative_numbers(tmp_path: Path) -> None:
    for args, says in (
        (
            [
                "generate",
                "--method",
                "self-host",
                "--platform",
                "nginx",
                "--json-file",
                str(tmp_path),
            ],
            "is a directory",
        ),
        (["verify", DOMAIN, "--ca-bundle", str(tmp_path)], "is a directory"),
        (["verify", DOMAIN, "--max-redirects", "-1"], "must be 0 or more"),
        (["history", "x", "--limit", "-2"], "must be 1 or more"),
    ):
        result = run_cli(*args)
        assert result.returncode == 2 and result.stdout == "", args
        [line] = result.stderr.strip().splitlines()
        assert says in line, (args, line)
    as_file = tmp_path / "state-file"
    as_file.write_text("")
    status = subprocess.run(
        [sys.executable, "-m", "wizard", "status", "--state-dir", str(as_file)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "is not a folder" in status.stderr


def test_a_json_file_with_a_byte_order_mark_is_accepted_with_verifys_warning(
    tmp_path: Path,
) -> None:
    document = {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.net/e"}]}
    path = tmp_path / "download.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    out = tmp_path / "site"
    result = run_cli(
        "generate",
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--json-file",
        str(path),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "byte-order mark" in result.stderr and "without BOM" in result.stderr
    written = out / WELL_KNOWN_FILE
    assert written.read_bytes() == path.read_bytes()  # kept byte for byte


def test_every_prerequisite_title_fits_a_60_column_window() -> None:
    """A check box label is cut at the window's edge, not wrapped: a title must fit in a
    60-column window beside the box, the padding and the scroll bar."""
    from wizard.core.prerequisites.checklist import prerequisites_for

    for provider in ("jumpcloud", "generic"):
        for item in prerequisites_for(provider):
            assert len(item.title) <= 50, item.title
