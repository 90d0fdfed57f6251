"""`maid apply`: only the plan's set and overwrite items, each with exactly
`{"managedAppleId": ...}`; a user changed since the plan left alone; a refused write named
while the others go on; 429 and 503 waited out; every write in the journal before it is
sent; asking first, or --yes without a terminal."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.linking.conftest import StartDirectory, make_plan_file
from tests.support.commands import one_line, run_in_process
from tests.support.constants import ORG_ID, OTHER_ORG
from tests.support.jumpcloud_api import make_user
from wizard.core.linking.plan import ACTIONS, plan_identity
from wizard.core.setups.database import DATABASE_NAME

USERS_PATH = "/api/systemusers/"
COUNTS = dict.fromkeys(ACTIONS, 0)


def uid(number: int) -> str:
    return str(make_user(number, ORG_ID)["_id"])


def unlinked(count: int) -> list[dict[str, object]]:
    return [make_user(number, ORG_ID) for number in range(1, count + 1)]


def progress_only(err: str) -> bool:
    """stderr holds only the progress lines (`N of M written (R/s)`)."""
    return all(
        re.fullmatch(r"[\d,]+ of [\d,]+ written \([\d,]+/s\)", line) for line in err.splitlines()
    )


def apply(capsys: pytest.CaptureFixture[str], plan: Path, *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, "maid", "apply", str(plan), "--yes", *args)


def test_apply_writes_only_the_plans_writes_and_a_second_run_nothing(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(
        [
            make_user(1, ORG_ID),
            make_user(2, ORG_ID, managed_apple_id="old@example.com"),
            make_user(3, ORG_ID, managed_apple_id="user00003@example.com"),
            make_user(4, ORG_ID, managed_apple_id="old4@example.com"),
            make_user(5, ORG_ID, state="SUSPENDED"),
        ]
    )
    plan = make_plan_file(tmp_path, "--same-as-email")  # user 2 and 4: conflict
    overwrite = make_plan_file(tmp_path, "--same-as-email", "--overwrite", name="o.json")
    code, out, err = apply(capsys, plan)
    assert code == 0 and progress_only(err)
    assert jumpcloud.puts() == [(uid(1), {"managedAppleId": "user00001@example.com"})]
    assert out.splitlines()[0] == "1 written."
    code, out, _ = apply(capsys, overwrite)
    assert code == 0
    assert sorted(jumpcloud.puts()[1:]) == [
        (uid(2), {"managedAppleId": "user00002@example.com"}),
        (uid(4), {"managedAppleId": "user00004@example.com"}),
    ]
    assert jumpcloud.accounts()[uid(5)] is None  # suspended: not in the writes
    before = len(jumpcloud.standin.writes)
    code, out, err = apply(capsys, overwrite)
    assert code == 0 and progress_only(err)
    assert len(jumpcloud.standin.writes) == before
    assert re.fullmatch(
        r"Nothing to write: plan sha256:[0-9a-f]{12} is applied already\.\n3 already done\.\n", out
    )


def test_a_user_changed_since_the_plan_is_left_alone_and_named(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(unlinked(3))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.set_account(uid(2), "someone.else@example.com")
    code, out, _ = apply(capsys, plan)
    assert code == 1
    assert sorted(user for user, _ in jumpcloud.puts()) == [uid(1), uid(3)]
    assert jumpcloud.accounts()[uid(2)] == "someone.else@example.com"
    assert (
        f"  changed_since_plan  user00002@example.com ({uid(2)}): holds "
        '"someone.else@example.com" now; the plan expected no account: left alone'
    ) in out.splitlines()


@pytest.mark.parametrize(
    ("status", "result"), [(400, "refused"), (409, "refused"), (500, "unknown")]
)
def test_a_write_refused_in_the_middle_is_named_and_the_run_goes_on(
    directory: StartDirectory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    result: str,
) -> None:
    jumpcloud = directory(unlinked(30))
    jumpcloud.standin.state.refuse_writes[uid(15)] = status
    plan = make_plan_file(tmp_path, "--same-as-email")
    code, out, err = apply(capsys, plan)
    assert code == 1 and progress_only(err)
    written = {user for user, _ in jumpcloud.puts()}
    assert written == {uid(n) for n in range(1, 31)} - {uid(15)}
    named = [line for line in out.splitlines() if uid(15) in line]
    assert len(named) == 1 and named[0].startswith(f"  {result:<19} user00015@example.com")
    assert f"PUT /api/systemusers/{uid(15)}: {status}" in named[0]
    if status == 400:  # JumpCloud's own message, as its ErrorDetails gives it
        assert 'JumpCloud says "managedAppleId: refused by the test"' in named[0]
    # Run again: the one left is tried again, the others are done.
    del jumpcloud.standin.state.refuse_writes[uid(15)]
    code, out, _ = apply(capsys, plan)
    assert code == 0 and out.splitlines()[0] == "1 written, 29 already done."


def test_429_and_503_are_waited_out_and_each_user_written_once(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(unlinked(20))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.standin.rate_limit(3, retry_after=1, path=USERS_PATH)
    jumpcloud.standin.unavailable(2, path=USERS_PATH)
    started = time.monotonic()
    code, out, err = apply(capsys, plan)
    assert code == 0 and progress_only(err) and out == "20 written.\n"
    assert time.monotonic() - started >= 1  # Retry-After: 1 was respected
    assert sorted(user for user, _ in jumpcloud.puts()) == sorted(uid(n) for n in range(1, 21))
    assert jumpcloud.standin.count("PUT", USERS_PATH, prefix=True) == 25
    assert jumpcloud.standin.peak_in_flight <= 4


def test_writes_keep_at_most_four_in_flight(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(unlinked(40))
    plan = make_plan_file(tmp_path, "--same-as-email")
    jumpcloud.standin.state.latency = 0.02
    jumpcloud.standin.reset_peak()
    code, _, _ = apply(capsys, plan)
    assert code == 0
    assert jumpcloud.standin.peak_in_flight == 4


def test_every_write_is_journaled_before_it_is_sent_and_when_answered(
    directory: StartDirectory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_state: Path,
) -> None:
    jumpcloud = directory(unlinked(120))
    plan = make_plan_file(tmp_path, "--same-as-email")
    plan_id = json.loads(plan.read_text())["plan_id"]
    missing: list[str] = []

    def journaled(user_id: str) -> None:
        with sqlite3.connect(f"file:{isolated_state / DATABASE_NAME}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT outcome FROM link_writes WHERE plan_id = ? AND user_id = ?",
                (plan_id, user_id),
            ).fetchone()
        if row != (None,):
            missing.append(user_id)

    jumpcloud.standin.before_put = journaled
    code, _, _ = apply(capsys, plan)
    assert code == 0 and missing == []
    with sqlite3.connect(isolated_state / DATABASE_NAME) as db:
        rows = db.execute(
            "SELECT user_id, operation, before, after, outcome, status, at, answered_at "
            "FROM link_writes WHERE plan_id = ?",
            (plan_id,),
        ).fetchall()
    assert len(rows) == 120
    assert {(op, before, outcome, status) for _, op, before, _, outcome, status, _, _ in rows} == {
        ("apply", "", "written", 200)
    }
    assert all(at <= answered for *_, at, answered in rows)


def test_without_a_terminal_apply_needs_yes(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(unlinked(2))
    plan = make_plan_file(tmp_path, "--same-as-email")
    requests = len(jumpcloud.standin.requests)
    code, out, err = run_in_process(capsys, "maid", "apply", str(plan))
    assert code == 2 and out == ""
    assert "give --yes" in one_line(err)
    assert len(jumpcloud.standin.requests) == requests


def edited(plan: Path, change: Mapping[str, object], *, keep_identity: bool) -> Path:
    document = json.loads(plan.read_text())
    document.update(change)
    if keep_identity:
        content = {key: value for key, value in document.items() if key != "plan_id"}
        document["plan_id"] = plan_identity(content)
    plan.write_text(json.dumps(document))
    return plan


@pytest.mark.parametrize(
    ("change", "keep_identity", "said"),
    [
        ({"org_id": OTHER_ORG}, False, "was changed after it was made"),
        ({"items": "all"}, True, "is not a plan: items: Input should be a valid list"),
        ({"counts": {"set": 99}}, True, "its counts do not match its items"),
        ({"api_url": "http://127.0.0.1:1/api"}, True, "api_url: Value error, api_url must be"),
        ({"api_url": "https://attacker.example/api"}, True, "would send the API key to"),
    ],
)
def test_a_changed_or_hostile_plan_is_one_line_and_nothing_is_sent(
    directory: StartDirectory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    keep_identity: bool,
    said: str,
) -> None:
    jumpcloud = directory(unlinked(2))
    plan = edited(make_plan_file(tmp_path, "--same-as-email"), change, keep_identity=keep_identity)
    requests = len(jumpcloud.standin.requests)
    code, out, err = apply(capsys, plan)
    assert code == 2 and out == ""
    assert said in one_line(err)
    assert len(jumpcloud.standin.requests) == requests


def test_a_user_twice_or_a_write_of_no_address_is_refused(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory(unlinked(2))
    plan = make_plan_file(tmp_path, "--same-as-email")
    first = json.loads(plan.read_text())["items"][0]
    twice = {"items": [first, first], "counts": {**COUNTS, "set": 2}}
    code, _, err = apply(capsys, edited(plan, twice, keep_identity=True))
    assert code == 2 and "a user appears twice in it" in one_line(err)
    no_address = {"items": [{**first, "after": "not-an-address"}], "counts": {**COUNTS, "set": 1}}
    code, _, err = apply(capsys, edited(plan, no_address, keep_identity=True))
    assert code == 2 and "'not-an-address', which is not an e-mail address" in one_line(err)


def test_on_a_terminal_it_asks_first_and_draws_a_progress_bar(
    directory: StartDirectory, tmp_path: Path
) -> None:
    jumpcloud = directory(unlinked(3))
    plan = make_plan_file(tmp_path, "--same-as-email")
    for answer, written in ((b"n\n", 0), (b"y\n", 3)):
        ran = jumpcloud.answer_on_a_terminal("maid", "apply", str(plan), answer=answer)
        assert (
            "Write 3 Managed Apple Accounts to JumpCloud organization "
            f"{ORG_ID} (Example Org)? [y/N] "
        ).encode() in ran.shown
        assert len(jumpcloud.puts()) == written
        if written:
            assert ran.returncode == 0 and ran.stdout.startswith("3 written.")
            assert b"\r[########################] 3/3 written" in ran.shown
            assert b" left" in ran.shown
        else:
            assert ran.returncode == 1 and ran.stdout == "Nothing was written.\n"


def test_without_a_terminal_progress_is_a_line_per_hundred(
    directory: StartDirectory, tmp_path: Path
) -> None:
    jumpcloud = directory(unlinked(250))
    plan = make_plan_file(tmp_path, "--same-as-email")
    done = jumpcloud.command("maid", "apply", str(plan), "--yes")
    assert done.returncode == 0, done.stderr
    lines = [line.split(" (")[0] for line in done.stderr.splitlines()]
    assert lines == ["100 of 250 written", "200 of 250 written", "250 of 250 written"]
    assert done.stdout == "250 written.\n"


def test_a_key_refused_mid_run_stops_it_and_the_next_run_finishes(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jumpcloud = directory(unlinked(120))
    plan = make_plan_file(tmp_path, "--same-as-email")
    keys = dict(jumpcloud.standin.state.api_keys)
    arrived: list[str] = []

    def revoke_after_ten(user_id: str) -> None:
        arrived.append(user_id)
        if len(arrived) == 10:
            jumpcloud.standin.state.api_keys.clear()  # the admin revoked the key

    jumpcloud.standin.before_put = revoke_after_ten
    code, out, _ = apply(capsys, plan)
    assert code == 1
    written = len(jumpcloud.puts())
    assert 9 <= written <= 10
    assert out.splitlines()[-1].startswith(
        "Stopped: JumpCloud refused the API key (PUT /api/systemusers/"
    )
    assert "not sent: JumpCloud refused the API key" in out
    assert len(jumpcloud.standin.writes) < 20  # it stopped, not failing the 110 others
    jumpcloud.standin.before_put = None
    jumpcloud.standin.state.api_keys.update(keys)
    code, out, _ = apply(capsys, plan)
    assert code == 0 and out == f"{120 - written} written, {written} already done.\n"


def test_failures_in_a_row_stop_the_run_instead_of_failing_everyone(
    directory: StartDirectory, tmp_path: Path, isolated_state: Path
) -> None:
    """JumpCloud answering 503 to every try: after 8 users in a row, the run stops; the users
    it sent are `unknown` (a 503 may follow a write that was applied), the rest not sent."""
    import asyncio

    from tests.linking.conftest import KEY
    from wizard.core.jumpcloud.access import JumpCloudAccess
    from wizard.core.jumpcloud.secret import ApiKey
    from wizard.core.linking.plan import read_plan
    from wizard.core.linking.writing import Finished, LinkingSession

    jumpcloud = directory(unlinked(60))
    plan = read_plan(make_plan_file(tmp_path, "--same-as-email"))
    jumpcloud.standin.unavailable(10_000, path=USERS_PATH)

    async def run() -> Finished:
        access = JumpCloudAccess(jumpcloud.standin.base_url, ApiKey(KEY))
        async with LinkingSession(plan, access, isolated_state, retry_base=0.001) as session:
            return await session.write(await session.prepare_apply())

    finished = asyncio.run(run())
    assert finished.stopped is not None
    assert finished.stopped.startswith("8 writes in a row failed, the last with: PUT")
    counts = Counter(item.result for item in finished.results)
    assert counts["unknown"] >= 8 and counts["unknown"] + counts["not_attempted"] == 60
    assert counts["unknown"] <= 8 + 3  # the 3 others in flight when it stopped
    assert jumpcloud.puts() == []
