"""`maid undo`: each journaled user's value before the plan put back (an empty one as
`{"managedAppleId": ""}`), only where JumpCloud still holds what the plan wrote; a user
changed by someone else since is left alone and named; an undone plan can be applied again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.linking.conftest import StartDirectory, make_plan_file
from tests.support.commands import one_line, run_in_process
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import make_user


def uid(number: int) -> str:
    return str(make_user(number, ORG_ID)["_id"])


def maid(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, "maid", *args)


def test_undo_puts_back_what_the_plan_replaced(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(
        [
            make_user(1, ORG_ID),
            make_user(2, ORG_ID, managed_apple_id="Old.Two@example.com"),
            make_user(3, ORG_ID, managed_apple_id="user00003@example.com"),
        ]
    )
    plan = make_plan_file(tmp_path, "--same-as-email", "--overwrite")
    assert maid(capsys, "apply", str(plan), "--yes")[0] == 0
    applied = len(jumpcloud.puts())
    code, out, _ = maid(capsys, "undo", str(plan), "--yes")
    assert code == 0 and out == "2 put back.\n"
    assert sorted(jumpcloud.puts()[applied:]) == [
        (uid(1), {"managedAppleId": ""}),
        (uid(2), {"managedAppleId": "Old.Two@example.com"}),  # exactly as it was
    ]
    assert jumpcloud.accounts() == {
        uid(1): "",
        uid(2): "Old.Two@example.com",
        uid(3): "user00003@example.com",  # unchanged by the plan: never touched
    }
    code, out, _ = maid(capsys, "undo", str(plan), "--yes")
    assert code == 0
    assert out == (
        f"Nothing to write: plan {_short(plan)} is undone already.\n2 already as before the plan.\n"
    )
    assert len(jumpcloud.puts()) == applied + 2
    # An undone plan can be applied again.
    code, out, _ = maid(capsys, "apply", str(plan), "--yes")
    assert code == 0 and out == "2 written.\n"
    assert jumpcloud.accounts()[uid(1)] == "user00001@example.com"


def test_a_user_changed_by_someone_else_since_is_left_alone_and_named(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory([make_user(number, ORG_ID) for number in range(1, 6)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    assert maid(capsys, "apply", str(plan), "--yes")[0] == 0
    jumpcloud.set_account(uid(3), "changed.by.hand@example.com")
    code, out, _ = maid(capsys, "undo", str(plan), "--yes")
    assert code == 1
    assert out.splitlines()[0] == "4 put back, 1 changed by someone else since (left alone)."
    assert out.splitlines()[1] == (
        f"  changed_since_apply user00003@example.com ({uid(3)}): holds "
        '"changed.by.hand@example.com" now, not "user00003@example.com" as the plan wrote: '
        "changed by someone else since, left alone"
    )
    assert jumpcloud.accounts()[uid(3)] == "changed.by.hand@example.com"
    assert {user for user, body in jumpcloud.puts() if body == {"managedAppleId": ""}} == {
        uid(1),
        uid(2),
        uid(4),
        uid(5),
    }


def test_undo_again_names_a_user_changed_since_it_was_put_back(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory([make_user(number, ORG_ID) for number in range(1, 4)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    assert maid(capsys, "apply", str(plan), "--yes")[0] == 0
    assert maid(capsys, "undo", str(plan), "--yes")[0] == 0
    jumpcloud.set_account(uid(2), "set.by.hand@example.com")
    sent = len(jumpcloud.standin.writes)
    code, out, _ = maid(capsys, "undo", str(plan), "--yes")
    assert code == 1
    assert out.splitlines() == [
        f"Nothing left to write for plan {_short(plan)}.",
        "2 already as before the plan, 1 changed by someone else since (left alone).",
        f"  changed_since_apply user00002@example.com ({uid(2)}): holds "
        '"set.by.hand@example.com" now; the undo put back no account: changed by someone '
        "else since, left alone",
    ]
    assert len(jumpcloud.standin.writes) == sent
    assert jumpcloud.accounts()[uid(2)] == "set.by.hand@example.com"


def test_a_plan_never_applied_here_has_nothing_to_undo(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory([make_user(1, ORG_ID)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    code, out, _ = maid(capsys, "undo", str(plan), "--yes")
    assert code == 0
    assert out.startswith("Nothing to undo: plan sha256:") and "never applied" in out
    assert jumpcloud.standin.writes == []


def test_undo_needs_yes_without_a_terminal(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory([make_user(1, ORG_ID)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    assert maid(capsys, "apply", str(plan), "--yes")[0] == 0
    requests = len(jumpcloud.standin.requests)
    code, out, err = maid(capsys, "undo", str(plan))
    assert code == 2 and out == ""
    assert one_line(err) == (
        "adue-wizard: undo writes to JumpCloud: give --yes to do so without a terminal to ask on"
    )
    assert len(jumpcloud.standin.requests) == requests  # refused before any request
    assert jumpcloud.accounts()[uid(1)] == "user00001@example.com"


def test_on_a_terminal_undo_asks_first_and_no_writes_nothing(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(
        [
            make_user(1, ORG_ID),
            make_user(2, ORG_ID, managed_apple_id="Old.Two@example.com"),
            make_user(3, ORG_ID),
            make_user(4, ORG_ID, managed_apple_id="user00004@example.com"),
        ]
    )
    plan = make_plan_file(tmp_path, "--same-as-email", "--overwrite")
    assert maid(capsys, "apply", str(plan), "--yes")[0] == 0
    applied = jumpcloud.accounts()
    sent = len(jumpcloud.standin.writes)
    question = (
        "Put back the previous value of 3 Managed Apple Accounts in JumpCloud organization "
        f"{ORG_ID} (Example Org)? [y/N] "
    ).encode()

    declined = jumpcloud.answer_on_a_terminal("maid", "undo", str(plan), answer=b"n\n")
    assert question in declined.shown
    assert declined.returncode == 1 and declined.stdout == "Nothing was written.\n"
    assert len(jumpcloud.standin.writes) == sent  # not one PUT, accepted or not
    assert jumpcloud.accounts() == applied
    assert _undo_runs(capsys) == []  # nothing journaled either

    accepted = jumpcloud.answer_on_a_terminal("maid", "undo", str(plan), answer=b"y\n")
    assert question in accepted.shown
    assert accepted.returncode == 0 and accepted.stdout == "3 put back.\n"
    assert b"\r[########################] 3/3 put back" in accepted.shown
    assert sorted(jumpcloud.puts()[sent:]) == [
        (uid(1), {"managedAppleId": ""}),
        (uid(2), {"managedAppleId": "Old.Two@example.com"}),
        (uid(3), {"managedAppleId": ""}),
    ]
    assert len(jumpcloud.standin.writes) == sent + 3
    assert jumpcloud.accounts() == {
        uid(1): "",
        uid(2): "Old.Two@example.com",
        uid(3): "",
        uid(4): "user00004@example.com",  # unchanged by the plan: never touched
    }
    assert len(_undo_runs(capsys)) == 1


def _undo_runs(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run_in_process(capsys, "history", "corp")
    assert code == 0
    return [line for line in out.splitlines() if " undo of plan " in line]


def test_the_history_and_the_report_list_applies_and_undos(
    directory: StartDirectory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
) -> None:
    from wizard.core.setups.report_markdown import markdown_report
    from wizard.core.setups.store import Store

    directory([make_user(number, ORG_ID) for number in range(1, 4)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    maid(capsys, "apply", str(plan), "--yes")
    maid(capsys, "undo", str(plan), "--yes")
    code, out, _ = run_in_process(capsys, "history", "corp")
    assert code == 0
    lines = out.splitlines()
    header = lines.index(
        "corp: Managed Apple Accounts written to JumpCloud (adue-wizard maid), newest first"
    )
    assert lines[header + 1].endswith(f"undo of plan {_short(plan)} ({plan}): 3 users put back")
    assert lines[header + 2].endswith(f"apply of plan {_short(plan)} ({plan}): 3 users written")
    store = Store(isolated_state)
    state = store.load("corp")
    assert state is not None
    state.link_runs = store.link_runs(state, 20)
    report = markdown_report(state)
    assert "## Managed Apple Accounts written to JumpCloud (newest first)" in report
    assert f"apply of plan {_short(plan)} ({plan}): 3 users written" in report


def _short(plan: Path) -> str:
    import json

    return str(json.loads(plan.read_text())["plan_id"])[:19]


def test_the_runs_follow_a_renamed_setup(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory([make_user(1, ORG_ID)])
    plan = make_plan_file(tmp_path, "--same-as-email")
    maid(capsys, "apply", str(plan), "--yes")
    assert run_in_process(capsys, "rename", "corp", "corp2")[0] == 0
    code, out, _ = run_in_process(capsys, "history", "corp2")
    assert code == 0 and f"apply of plan {_short(plan)} ({plan}): 1 user written" in out
