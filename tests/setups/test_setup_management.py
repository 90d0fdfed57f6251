"""Saved setups an admin can manage: none left behind by a stray key, the furthest step kept,
rename and delete from the wizard and the command line, and no wizard without a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.commands import run_cli
from tests.support.constants import DOMAIN, ORG_ID
from tests.support.verifying import report_of
from tests.support.wizard_app import make_app, record, settled, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.start import StartScreen


async def test_a_setup_left_at_once_is_not_saved(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        for _ in range(3):
            await pilot.press("n")
            assert isinstance(app.screen, OrganizationScreen)
            await pilot.press("tab", "5")  # one character of an organization ID
            await pilot.press("escape")
            await started(pilot)
        assert app.screen.setups == []  # type: ignore[attr-defined]
    assert not list(tmp_path.glob("*.setup.json"))


async def test_a_complete_organization_id_alone_is_saved(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n", "tab", *ORG_ID)
        await pilot.press("escape")
        await started(pilot)
    [saved] = Store(tmp_path).load_all()
    assert saved.org_id == ORG_ID


async def test_going_back_to_start_keeps_the_furthest_step(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save(SetupState(name=DOMAIN, domains=[DOMAIN], org_id=ORG_ID, step="done"))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # resume: opens at Done
        for _ in range(6):  # Esc all the way back to Start
            await pilot.press("escape")
            await pilot.pause()
        await started(pilot)
    saved = Store(tmp_path).load(DOMAIN)
    assert saved is not None and saved.step == "done"


async def test_rename_and_delete_in_the_wizard(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for name in ("a.example", "b.example"):
        setup = SetupState(name=name, domains=[name], org_id=ORG_ID)
        store.save(setup)
        record(store, setup, [report_of(name)])
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        start = app.screen
        assert isinstance(start, StartScreen)
        first, second = (s.name for s in start.setups)  # the highlighted one is first
        await pilot.press("r", *["backspace"] * 20, *"renamed.example", "enter")
        await settled(pilot)
        await started(pilot)
        names = {s.name for s in app.screen.setups}  # type: ignore[attr-defined]
        assert names == {"renamed.example", second}
        # Delete asks first; the safe button has the focus, so Enter keeps it.
        await pilot.press("d", "enter")
        await settled(pilot)
        assert len(app.screen.setups) == 2  # type: ignore[attr-defined]
        await pilot.press("d", "shift+tab", "enter")  # move to Delete, press it
        await settled(pilot)
        await pilot.pause()
        await started(pilot)
        remaining = [s.name for s in app.screen.setups]  # type: ignore[attr-defined]
    assert len(remaining) == 1
    assert len(list(tmp_path.glob("*.setup.json.deleted-*"))) == 1
    history = Store(tmp_path).history
    assert history.summary("renamed.example").runs == 1  # its run came with it
    assert history.summary(first).runs == 0


def test_rename_and_delete_on_the_command_line(tmp_path: Path) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="a.example", domains=["a.example"])
    store.save(setup)
    record(store, setup, [report_of("a.example", "timeout")])
    Store(tmp_path).save(SetupState(name="taken.example", domains=["taken.example"]))

    clash = run_cli("rename", "a.example", "taken.example", state=tmp_path)
    assert clash.returncode == 2 and "already exists" in clash.stderr and clash.stdout == ""
    path_like = run_cli("rename", "a.example", "../escape", state=tmp_path)
    assert path_like.returncode == 2 and "is not a setup name" in path_like.stderr

    renamed = run_cli("rename", "a.example", "b.example", state=tmp_path)
    assert renamed.returncode == 0, renamed.stderr
    history = run_cli("history", "b.example", "--json", state=tmp_path)
    assert json.loads(history.stdout)["outcomes"][0]["failure"] == "timeout"
    assert not (tmp_path / "a.example.setup.json").exists()

    # Without a terminal, delete needs --yes.
    refused = run_cli("delete", "b.example", state=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr and refused.stdout == ""
    assert (tmp_path / "b.example.setup.json").exists()
    deleted = run_cli("delete", "b.example", "--yes", state=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    [aside] = tmp_path.glob("b.example.setup.json.deleted-*")
    assert "adue-wizard setup restore b.example brings it back" in deleted.stdout
    names = [row["name"] for row in json.loads(run_cli("status", "--json", state=tmp_path).stdout)]
    assert names == ["taken.example"]
    # Restoring is renaming the file back: the setup returns with its history.
    aside.rename(tmp_path / "b.example.setup.json")
    [row] = [
        row
        for row in json.loads(run_cli("status", "--json", state=tmp_path).stdout)
        if row["name"] == "b.example"
    ]
    assert row["runs"] == 1 and row["last_failure"] == "timeout"
    missing = run_cli("delete", "nope.example", "--yes", state=tmp_path)
    assert missing.returncode == 2 and "no saved setup named" in missing.stderr


def test_the_wizard_without_a_terminal_exits_2_at_once(tmp_path: Path) -> None:
    result = run_cli(state=tmp_path)  # stdin and stdout are pipes
    assert result.returncode == 2 and result.stdout == ""
    assert "verify" in result.stderr and "generate" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_from_before_the_report_path_opens_and_then_keeps_it(tmp_path: Path) -> None:
    """Files written before `report_path` existed open unchanged; the field is saved after."""
    store = Store(tmp_path)
    store.save(SetupState(name=DOMAIN, domains=[DOMAIN], org_id=ORG_ID, step="done"))
    path = tmp_path / f"{DOMAIN}.setup.json"
    data = json.loads(path.read_text())
    del data["report_path"]
    path.write_text(json.dumps(data))
    loaded = store.load(DOMAIN)
    assert loaded is not None and loaded.report_path is None and loaded.org_id == ORG_ID
    loaded.report_path = "~/tickets/adue.md"
    store.save(loaded)
    again = Store(tmp_path).load(DOMAIN)
    assert again is not None and again.report_path == "~/tickets/adue.md"
