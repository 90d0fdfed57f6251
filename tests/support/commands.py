"""Running `adue-wizard` as an admin or a cron job does (a separate process), or in this
process with its output captured, and reading its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.https_server import HTTPSServer
from wizard.cli import main


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    state: Path | None = None,
    stdin: int | None = subprocess.DEVNULL,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`adue-wizard ARGS` in a process of its own; with `state`, on that state folder and
    without colour."""
    on_state = {"ADUE_WIZARD_STATE_DIR": str(state), "NO_COLOR": "1"} if state else {}
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=stdin,
        env={**os.environ, **on_state, **(env or {})},
    )


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`adue-wizard ARGS` in this process: (exit status, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as stop:  # argparse's usage errors
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(stderr: str) -> str:
    """The one line a refusal prints (never a traceback)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def routed(server: HTTPSServer, ca_bundle: Path) -> list[str]:
    """The options that send every host on :443 to `server` and trust the test CA."""
    return ["--connect-to", f":443:127.0.0.1:{server.port}", "--ca-bundle", str(ca_bundle)]
