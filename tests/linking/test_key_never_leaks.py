"""The API key, while `maid` plans, applies and undoes (refusals echoing it included), is
in no file under the state folder or the output folder, in no output, and in no process's
command line."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

from tests.linking.conftest import KEY, Directory, StartDirectory
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import make_user

FORMS = {KEY.encode(), quote(KEY, safe="").encode(), quote_plus(KEY, safe="").encode()}


def leaks(data: bytes) -> bool:
    return any(form in data for form in FORMS)


def command_lines() -> list[bytes]:
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes())
            except OSError:
                continue  # gone meanwhile, or not ours to read
    return lines


def run_watched(directory: Directory, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `adue-wizard ARGS`, reading every process's command line while it runs."""
    process = directory.start_command(*args)
    seen: list[bytes] = []
    while process.poll() is None:
        seen += command_lines()
        time.sleep(0.01)
    out, err = process.communicate(timeout=60)
    assert seen and not any(leaks(line) for line in seen)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_the_key_is_nowhere_but_in_the_header(
    directory: StartDirectory, tmp_path: Path, isolated_state: Path
) -> None:
    jumpcloud = directory([make_user(number, ORG_ID) for number in range(1, 41)])
    jumpcloud.standin.state.latency = 0.01
    jumpcloud.standin.state.echo_key_in_errors = True  # refusals repeat the key they got
    jumpcloud.standin.state.refuse_writes[make_user(7, ORG_ID)["_id"]] = 403
    outputs = tmp_path / "out"
    outputs.mkdir()
    plan = outputs / "plan.json"
    runs = [
        run_watched(
            jumpcloud, "maid", "plan", "--setup", "corp", "--same-as-email", "--out", str(plan)
        ),
        run_watched(jumpcloud, "maid", "plan", "--setup", "corp", "--same-as-email", "--json"),
        run_watched(jumpcloud, "maid", "apply", str(plan), "--yes"),
        run_watched(jumpcloud, "maid", "undo", str(plan), "--yes"),
        run_watched(jumpcloud, "history", "corp"),
    ]
    assert [run.returncode for run in runs] == [0, 0, 1, 0, 0], [run.stderr for run in runs]
    assert "***" in runs[2].stdout  # the refusal that echoed the key, masked
    for run in runs:
        assert not leaks(run.stdout.encode()) and not leaks(run.stderr.encode())
    files = [path for folder in (isolated_state, outputs) for path in folder.rglob("*")]
    assert any(path.name.startswith("history.sqlite3") for path in files)
    for path in files:
        if path.is_file():
            assert not leaks(path.read_bytes()), path
    # The key did go where it belongs: every request's header.
    assert {request.headers.get("x-api-key") for request in jumpcloud.standin.requests} == {KEY}
