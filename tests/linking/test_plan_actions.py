"""`maid plan`: every action a user can get, from a CSV or from the e-mail rule, the plan's
JSON as documented, and nothing ever written to JumpCloud while planning."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.linking.conftest import DOMAIN, SETUP, StartDirectory, plan_items, write_csv
from tests.support.commands import one_line, run_in_process
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import make_user
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store


def user_id(number: int) -> str:
    return str(make_user(number, ORG_ID)["_id"])


USERS = [
    make_user(1, ORG_ID),
    make_user(2, ORG_ID, managed_apple_id="User00002@Example.com"),
    make_user(3, ORG_ID, managed_apple_id="old3@example.com"),
    make_user(4, ORG_ID),
    make_user(5, ORG_ID),
    make_user(6, ORG_ID),
    make_user(7, ORG_ID, managed_apple_id="held@example.com", state="SUSPENDED"),
    make_user(8, ORG_ID),
    make_user(9, ORG_ID),
    make_user(10, ORG_ID, state="SUSPENDED"),
    make_user(11, ORG_ID, domain="other.org"),
]
CSV = """email,managedAppleId
user00001@example.com,user00001@example.com
user00002@example.com,user00002@example.com
user00003@example.com,new3@example.com
user00004@example.com,shared@example.com
user00005@example.com,shared@example.com
user00006@example.com,held@example.com
user00008@example.com,not-an-address
user00009@example.com,user00009@other.org
user00010@example.com,user00010@example.com
nobody@example.com,nobody@example.com
,x@example.com
"""


def plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, "maid", "plan", "--setup", SETUP, *args)


def test_each_action_from_a_csv(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(USERS)
    code, out, err = plan(capsys, "--from", str(write_csv(tmp_path, CSV)), "--json")
    assert (code, err) == (0, "")
    items = plan_items(out)
    actions = {key: item["action"] for key, item in items.items()}
    assert actions == {
        user_id(1): "set",
        user_id(2): "unchanged",  # compared case-insensitively
        user_id(3): "conflict",
        user_id(4): "duplicate",  # the same account planned for two users: both skipped
        user_id(5): "duplicate",
        user_id(6): "duplicate",  # already on another user (suspended or not)
        user_id(8): "invalid",  # not an e-mail address
        user_id(9): "invalid",  # a domain none of the setup's
        user_id(10): "suspended",
        "line 11": "unmatched",
        "line 12": "invalid",  # a row that names no user
    }
    assert items[user_id(1)] == {
        "user_id": user_id(1),
        "email": "user00001@example.com",
        "action": "set",
        "before": "",
        "after": "user00001@example.com",
        "reason": "no Managed Apple Account yet",
        "line": 2,
    }
    assert items[user_id(3)]["before"] == "old3@example.com"
    assert items[user_id(3)]["after"] == "new3@example.com"
    assert "user00005@example.com" in items[user_id(4)]["reason"]
    assert "user00007@example.com" in items[user_id(6)]["reason"]
    assert "other.org" in items[user_id(9)]["reason"]
    assert items["line 11"]["email"] == "nobody@example.com"
    assert items["line 11"]["user_id"] is None
    assert items["line 12"]["reason"] == "line 12: no e-mail or username to find the user by"
    # Planning reads: the organizations once and the one page of users; it never writes.
    assert jumpcloud.standin.writes == []
    assert jumpcloud.standin.count("GET", "/api/systemusers") == 1


def test_the_plan_json_is_as_documented(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    code, out, _ = plan(capsys, "--from", str(write_csv(tmp_path, CSV)), "--json")
    assert code == 0
    document = json.loads(out)
    assert {"org_id", "api_url", "created_at", "items", "counts"} <= set(document)
    assert document["org_id"] == ORG_ID
    assert document["api_url"].startswith("https://127.0.0.1:")
    assert document["counts"] == {
        "set": 1,
        "unchanged": 1,
        "conflict": 1,
        "overwrite": 0,
        "duplicate": 3,
        "invalid": 3,
        "unmatched": 1,
        "suspended": 1,
    }
    for item in document["items"]:
        assert {"user_id", "email", "action", "before", "after", "reason"} <= set(item)
    assert document["plan_id"].startswith("sha256:")
    assert document["setup"] == SETUP and document["domains"] == [DOMAIN]


def test_overwrite_and_include_suspended_turn_skips_into_writes(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    csv = write_csv(tmp_path, CSV)
    code, out, _ = plan(capsys, "--from", str(csv), "--json", "--overwrite", "--include-suspended")
    assert code == 0
    items = plan_items(out)
    assert items[user_id(3)]["action"] == "overwrite"
    assert items[user_id(10)]["action"] == "set"


def test_the_email_rule_takes_each_users_email_in_the_domains(
    directory: StartDirectory, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    code, out, err = plan(capsys, "--same-as-email", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    actions = {item["user_id"]: item["action"] for item in document["items"]}
    assert actions == {
        user_id(1): "set",
        user_id(2): "unchanged",
        user_id(3): "conflict",
        user_id(4): "set",
        user_id(5): "set",
        user_id(6): "set",
        user_id(7): "suspended",
        user_id(8): "set",
        user_id(9): "set",
        user_id(10): "suspended",
    }
    # user 11's e-mail is in other.org: not one of the setup's domains, left out.
    assert document["source"] == {"kind": "same_as_email", "file": None, "rows": 11, "left_out": 1}
    code, out, _ = plan(capsys, "--same-as-email", "--domain", "other.org", "--json")
    assert [item["user_id"] for item in json.loads(out)["items"]] == [user_id(11)]


def test_out_writes_the_plan_privately_and_the_summary_counts(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    out_file = tmp_path / "plans" / "plan.json"
    out_file.parent.mkdir()
    code, out, err = plan(capsys, "--from", str(write_csv(tmp_path, CSV)), "--out", str(out_file))
    assert (code, err) == (0, "")
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert json.loads(out_file.read_text())["counts"]["set"] == 1
    assert "\n  set        1  to write: no account yet\n" in out
    assert "\n  duplicate  3  skipped: the account is on or planned for another user too" in out
    assert "\n  line 12: no e-mail or username to find the user by\n" in out
    assert f"To write the 1: adue-wizard maid apply {out_file}" in out
    assert [p.name for p in out_file.parent.iterdir()] == ["plan.json"]  # no temporary left


def test_markup_and_escapes_from_the_csv_stay_text(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    hostile = "email,managedAppleId\n\x1b]0;pwned\x07@example.com,[bold]x[/bold]@example.com\n"
    code, out, _ = plan(capsys, "--from", str(write_csv(tmp_path, hostile)))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "--from FILE.csv or --same-as-email"),
        (["--from", "missing.csv"], "cannot read 'missing.csv'"),
        (["--same-as-email", "--from", "x.csv"], "not allowed with argument"),
        (["--from", "x.csv", "--domain", "example.com"], "--domain goes with --same-as-email"),
        (["--same-as-email", "--out", "/nonexistent/plan.json"], "existing folder"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    directory: StartDirectory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    said: str,
) -> None:
    directory(USERS)
    monkeypatch.chdir(tmp_path)
    code, out, err = plan(capsys, *args)
    assert code == 2 and out == ""
    assert said in one_line(err)


def test_a_csv_without_the_columns_is_refused_naming_what_it_has(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(USERS)
    csv = write_csv(tmp_path, "Mail;Apple\nuser00001@example.com;a@example.com\n")
    code, _, err = plan(capsys, "--from", str(csv))
    assert code == 2
    assert "no column that finds the user" in one_line(err) and "'Mail', 'Apple'" in err


def test_without_a_key_and_a_terminal_it_says_how_to_give_one(
    directory: StartDirectory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory(USERS)
    monkeypatch.delenv("JUMPCLOUD_API_KEY")
    code, _, err = plan(capsys, "--same-as-email")
    assert code == 2 and "$JUMPCLOUD_API_KEY or give --api-key-file" in one_line(err)


def test_a_refused_key_is_one_line_and_exit_1(
    directory: StartDirectory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory(USERS)
    monkeypatch.setenv("JUMPCLOUD_API_KEY", "not-the-key-0000")
    code, out, err = plan(capsys, "--same-as-email")
    assert code == 1 and out == ""
    assert "401 Unauthorized" in one_line(err)


def test_a_setup_for_another_mdm_is_refused(
    directory: StartDirectory, capsys: pytest.CaptureFixture[str], isolated_state: Path
) -> None:
    directory(USERS)
    Store(isolated_state).save(SetupState(name="jamf", provider="jamf", domains=[DOMAIN]))
    code, _, err = run_in_process(capsys, "maid", "plan", "--setup", "jamf", "--same-as-email")
    assert code == 2 and "maid links accounts in JumpCloud" in one_line(err)


@pytest.mark.parametrize(
    "args",
    [
        ["maid", "plan", "--same-as", "--setup", SETUP],
        ["maid", "apply", "plan.json", "--api-key", "s3cr3t-Value-42"],
        ["maid", "--api-key", "s3cr3t-Value-42"],
        ["maid", "undo", "plan.json", "--api-key=s3cr3t-Value-42"],
    ],
)
def test_options_are_spelled_out_and_never_repeat_a_value(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run_in_process(capsys, *args)
    assert code == 2 and out == ""
    assert "s3cr3t" not in err and one_line(err)


@pytest.mark.parametrize("step", [[], ["plan"], ["apply"], ["undo"]])
def test_each_help_ends_with_examples(capsys: pytest.CaptureFixture[str], step: list[str]) -> None:
    code, out, _ = run_in_process(capsys, "maid", *step, "--help")
    assert code == 0
    lines = out.rstrip("\n").splitlines()
    examples = lines[lines.index("Examples:") + 1 :]
    assert 2 <= len(examples) <= 3
    assert all(
        line.startswith("  adue-wizard maid ") or "adue-wizard maid " in line for line in examples
    )
