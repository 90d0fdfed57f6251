"""Linking users to their Managed Apple Accounts (`adue-wizard maid`), against the JumpCloud
stand-in: a saved JumpCloud setup `corp` for example.com points at it, and the key is in
`$JUMPCLOUD_API_KEY` (in this process, and in the commands a test starts). The stand-in's
fixtures (`start_standin`, `trusted`, `plain_environment`) are in tests/conftest.py."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState, StartStandIn, User
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

KEY = "maid-Key/0123456789+abcdefghij"
SETUP = "corp"
DOMAIN = "example.com"


@dataclass
class Directory:
    """A JumpCloud organization behind the stand-in, and the state folder of the setup."""

    standin: JumpCloudStandIn
    state_folder: Path
    ca_bundle: Path

    @property
    def users(self) -> list[User]:
        return self.standin.state.organizations[0].users

    def accounts(self) -> dict[str, Any]:
        """Every user's `managedAppleId` as JumpCloud holds it (None: never set)."""
        return {user["_id"]: user.get("managedAppleId") for user in self.users}

    def set_account(self, user_id: str, value: str) -> None:
        """A change made by someone else, in the admin portal."""
        user = self.standin.state.organizations[0].find_user(user_id)
        assert user is not None
        user["managedAppleId"] = value

    def puts(self) -> list[tuple[str, Any]]:
        """Every PUT of a user JumpCloud accepted: (user id, body), in order."""
        return [(w.user_id, w.body) for w in self.standin.writes if w.status == 200]

    def environment(self) -> dict[str, str]:
        """What a command started by the test needs: the key, the CA, the state folder."""
        return {
            **os.environ,
            "JUMPCLOUD_API_KEY": KEY,
            "SSL_CERT_FILE": str(self.ca_bundle),
            "ADUE_WIZARD_STATE_DIR": str(self.state_folder),
            "NO_COLOR": "1",
        }

    def start_command(self, *args: str) -> subprocess.Popen[str]:
        """`adue-wizard ARGS` in a process of its own (not waited for)."""
        return subprocess.Popen(
            [sys.executable, "-m", "wizard", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment(),
        )

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "wizard", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=self.environment(),
            timeout=timeout,
        )

    def answer_on_a_terminal(self, *args: str, answer: bytes) -> OnATerminal:
        """`adue-wizard ARGS` with its stdin and stderr on a pseudo-terminal, as an admin
        runs it: once it asks ("... [y/N] "), type `answer`."""
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "wizard", *args],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=follower,
            env=self.environment(),
        )
        os.close(follower)
        try:
            shown = _read_until(leader, b"[y/N] ")
            os.write(leader, answer)
            out, _ = process.communicate(timeout=60)
            shown += _read_rest(leader)
        finally:
            os.close(leader)
        return OnATerminal(process.returncode, out.decode(), shown)


@dataclass(frozen=True)
class OnATerminal:
    """A command run on a terminal: its exit status, its stdout (a pipe), and what the
    terminal showed (the question, the progress bar)."""

    returncode: int
    stdout: str
    shown: bytes


def _read_until(handle: int, marker: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        seen += os.read(handle, 4096)
    return seen


def _read_rest(handle: int) -> bytes:
    seen = b""
    while True:
        try:
            chunk = os.read(handle, 4096)
        except OSError:  # the other end is closed
            return seen
        if not chunk:
            return seen
        seen += chunk


StartDirectory = Callable[[Sequence[User]], Directory]


@pytest.fixture(autouse=True)
def plain(plain_environment: None) -> None:
    """Every test here starts without the outside variables (proxies, CA file, JumpCloud's)."""


@pytest.fixture
def directory(
    start_standin: StartStandIn,
    trusted: Path,
    isolated_state: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> StartDirectory:
    """Start a stand-in with these users, and save the setup `corp` that points at it."""

    def start(users: Sequence[User]) -> Directory:
        standin = start_standin(JumpCloudState.single(list(users), key=KEY, org_id=ORG_ID))
        setup = SetupState(
            name=SETUP,
            org_id=ORG_ID,
            domains=[DOMAIN],
            jumpcloud_api_url=standin.base_url,
        )
        Store(isolated_state).save(setup)
        monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
        return Directory(standin, isolated_state, trusted)

    return start


def write_csv(folder: Path, text: str | bytes, name: str = "accounts.csv") -> Path:
    path = folder / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def plan_items(output: str) -> dict[str, dict[str, Any]]:
    """The items of a plan printed with --json, by user id (or `line N` without one)."""
    plan = json.loads(output)
    return {item["user_id"] or f"line {item['line']}": item for item in plan["items"]}


def make_plan_file(folder: Path, *args: str, name: str = "plan.json") -> Path:
    """`maid plan --setup corp ARGS --out FOLDER/NAME`, in this process; the plan's path."""
    from wizard.cli import main

    out = folder / name
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["maid", "plan", "--setup", SETUP, *args, "--out", str(out)]) == 0
    return out
