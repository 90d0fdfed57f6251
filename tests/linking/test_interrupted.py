"""Never half-known: `maid apply` or `maid undo` killed with SIGKILL at random moments and
started again ends with JumpCloud exactly as after one clean run, no user written twice (but
for the one allowed case: a write in flight at the kill, sent again with the same value, at
most once per kill); two runs at once never both write."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.linking.conftest import Directory, StartDirectory, make_plan_file
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import User, make_user

USERS = "/api/systemusers"


def directory_of(users: int) -> list[User]:
    """Mostly unlinked users, and a few the plan leaves alone (linked, suspended)."""
    listed = [make_user(number, ORG_ID) for number in range(1, users + 1)]
    listed[3] = make_user(4, ORG_ID, managed_apple_id="user00004@example.com")
    listed[7] = make_user(8, ORG_ID, state="SUSPENDED")
    return listed


def expected_accounts(directory: Directory, plan: Path) -> dict[str, object]:
    """What one clean run leaves: the plan's writes done, everyone else as they were."""
    accounts = directory.accounts()
    for item in json.loads(plan.read_text())["items"]:
        if item["action"] in ("set", "overwrite"):
            accounts[item["user_id"]] = item["after"]
    return accounts


def kill_when(directory: Directory, plan: Path, writes: int, operation: str = "apply") -> int:
    """Start `maid OPERATION`, SIGKILL it once JumpCloud has accepted `writes` writes in all
    (0: as soon as it reads the users); how many it had accepted when it died."""
    standin = directory.standin
    reads = standin.count("GET", USERS)
    process = directory.start_command("maid", operation, str(plan), "--yes")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        reached = len(directory.puts()) >= writes if writes else standin.count("GET", USERS) > reads
        if reached:
            break
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    return len(directory.puts())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_at_random_points_then_run_again_equals_one_clean_run(
    directory: StartDirectory, tmp_path: Path, seed: int
) -> None:
    jumpcloud = directory(directory_of(200))
    plan = make_plan_file(tmp_path, "--same-as-email")
    expected = expected_accounts(jumpcloud, plan)
    to_write = sum(1 for user, account in expected.items() if account != jumpcloud.accounts()[user])
    assert to_write == 198
    jumpcloud.standin.state.latency = 0.01
    points = [0, *sorted(random.Random(seed).sample(range(1, to_write), 3))]
    for point in points:
        kill_when(jumpcloud, plan, point)
    finished = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert jumpcloud.accounts() == expected
    # Each user written once; a write in flight at a kill may be sent once more, with the
    # same value: at most one per kill.
    bodies: dict[str, set[str]] = {}
    for user, body in jumpcloud.puts():
        bodies.setdefault(user, set()).add(json.dumps(body))
    times = Counter(user for user, _ in jumpcloud.puts())
    assert set(times) == {user for user, account in expected.items() if account is not None} - {
        make_user(4, ORG_ID)["_id"]
    }
    assert all(len(sent) == 1 for sent in bodies.values())
    assert sum(count - 1 for count in times.values()) <= len(points)
    # And a finished plan, applied again, writes nothing and says so.
    accepted = len(jumpcloud.puts())
    again = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert again.returncode == 0 and "is applied already" in again.stdout
    assert len(jumpcloud.puts()) == accepted


def with_old_accounts(users: int) -> list[User]:
    """As `directory_of`, with a tenth of the users holding another account (which
    `plan --overwrite` replaces, and undo puts back exactly as it was)."""
    listed = directory_of(users)
    for number in range(10, users + 1, 10):
        listed[number - 1] = make_user(number, ORG_ID, managed_apple_id=f"Old.{number}@Example.com")
    return listed


@pytest.mark.parametrize("seed", [1, 2])
def test_undo_killed_at_random_points_then_run_again_puts_everyone_back_once(
    directory: StartDirectory, tmp_path: Path, seed: int
) -> None:
    jumpcloud = directory(with_old_accounts(200))
    before_the_plan = jumpcloud.accounts()
    plan = make_plan_file(tmp_path, "--same-as-email", "--overwrite")
    expected = expected_accounts(jumpcloud, plan)
    applied = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert applied.returncode == 0 and applied.stdout == "198 written.\n", applied.stderr
    written = {user for user, _ in jumpcloud.puts()}
    wanted = {user: account or "" for user, account in before_the_plan.items() if user in written}
    assert len(wanted) == 198 and sum(1 for value in wanted.values() if value) == 20
    sent_by_apply = len(jumpcloud.puts())
    jumpcloud.standin.state.latency = 0.01
    points = [0, *sorted(random.Random(seed).sample(range(1, 190), 3))]
    for point in points:
        kill_when(jumpcloud, plan, sent_by_apply + point, "undo")
    started = time.monotonic()
    finished = jumpcloud.command("maid", "undo", str(plan), "--yes")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    # It continues: it sends only what is left, and counts every user the plan wrote.
    summary = re.fullmatch(r"(\d+) put back, (\d+) already as before the plan\.\n", finished.stdout)
    assert summary is not None, finished.stdout
    sent = [w for w in jumpcloud.standin.writes if w.status == 200 and w.time >= started]
    assert int(summary[1]) == len(sent)
    assert int(summary[1]) + int(summary[2]) == 198
    # Everyone holds what they held before the plan (no account is put back as "").
    assert {user: account or "" for user, account in jumpcloud.accounts().items()} == {
        user: account or "" for user, account in before_the_plan.items()
    }
    undone = jumpcloud.puts()[sent_by_apply:]
    times = Counter(user for user, _ in undone)
    assert set(times) == set(wanted)  # none skipped, nobody the plan left alone touched
    assert all(body == {"managedAppleId": wanted[user]} for user, body in undone)
    # Each user put back once; a write in flight at a kill may be sent once more, with the
    # same value: at most one per kill.
    assert sum(count - 1 for count in times.values()) <= len(points)
    again = jumpcloud.command("maid", "undo", str(plan), "--yes")
    assert again.returncode == 0
    assert again.stdout.endswith(" is undone already.\n198 already as before the plan.\n")
    assert len(jumpcloud.puts()) == sent_by_apply + len(undone)
    # An undone plan can be applied again, as if it had never been.
    reapplied = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert reapplied.returncode == 0 and reapplied.stdout == "198 written.\n", reapplied.stderr
    assert jumpcloud.accounts() == expected


def test_the_history_shows_the_killed_runs_as_stopped(
    directory: StartDirectory, tmp_path: Path
) -> None:
    jumpcloud = directory(directory_of(60))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.standin.state.latency = 0.01
    kill_when(jumpcloud, plan, 20)
    resumed = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert resumed.returncode == 0
    written = int(resumed.stdout.split(" written")[0])
    history = jumpcloud.command("history", "corp")
    lines = [line for line in history.stdout.splitlines() if " apply of plan " in line]
    assert len(lines) == 2
    assert lines[0].endswith(f"({plan}): {written} users written")
    assert lines[1].endswith("stopped before its end")


def test_two_applies_at_once_never_both_write(directory: StartDirectory, tmp_path: Path) -> None:
    jumpcloud = directory(directory_of(100))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.standin.state.latency = 0.05
    first = jumpcloud.start_command("maid", "apply", str(plan), "--yes")
    second = jumpcloud.start_command("maid", "apply", str(plan), "--yes")
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    codes = sorted(process.returncode for process in (first, second))
    assert codes == [0, 1], outputs
    refused = next(
        err
        for (_, err), process in zip(outputs, (first, second), strict=True)
        if process.returncode == 1
    )
    assert refused.startswith("adue-wizard: another `maid apply` or `maid undo` is writing to this")
    assert "nothing was written" in refused
    times = Counter(user for user, _ in jumpcloud.puts())
    assert len(times) == 98 and set(times.values()) == {1}


def test_ctrl_c_says_how_to_continue_and_the_next_run_does(
    directory: StartDirectory, tmp_path: Path
) -> None:
    jumpcloud = directory(directory_of(80))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.standin.state.latency = 0.02
    process = jumpcloud.start_command("maid", "apply", str(plan), "--yes")
    while len(jumpcloud.puts()) < 10 and process.poll() is None:
        time.sleep(0.001)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.splitlines()[-1] == (
        "adue-wizard: interrupted; run `adue-wizard maid apply` with the same plan again to "
        "continue"
    )
    assert 10 <= len(jumpcloud.puts()) < 78
    jumpcloud.standin.state.latency = 0
    assert jumpcloud.command("maid", "apply", str(plan), "--yes").returncode == 0
    assert jumpcloud.accounts() == expected_accounts(jumpcloud, plan)
    assert set(Counter(user for user, _ in jumpcloud.puts()).values()) == {1}
