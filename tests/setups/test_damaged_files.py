"""A saved file is as untrusted as a server: damaged setup files of every kind and a damaged
history database are moved aside in one line, path-like setup names are refused, saved
escapes are shown literally, and a saved CA bundle that went away is one line.

Each test here failed on 0.1.0 (unbounded reads, path-like names, raw escapes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, ORG_ID
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.database import DATABASE_NAME
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store

# -- damaged files of every kind --------------------------------------------------------


def _damaged_files(folder: Path) -> dict[str, str]:
    """Every kind of damaged setup file, by name; returns what each was."""
    kinds = {
        "truncated": b'{"schema_version": 2, "name": "trunc',
        "binary": bytes(range(256)),
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "shape": b'["not", "a", "setup"]',
        "future": json.dumps({"schema_version": 99, "name": "future"}).encode(),
        "wrong-types": json.dumps(
            {"schema_version": 2, "name": "wrong-types", "domains": 7}
        ).encode(),
    }
    for name, data in kinds.items():
        (folder / f"{name}.setup.json").write_bytes(data)
    with open(folder / "huge.setup.json", "wb") as huge:
        huge.truncate(65 * 1024 * 1024)  # sparse: larger than any setup file may be
    (folder / "folder.setup.json").mkdir()
    os.mkfifo(folder / "fifo.setup.json")
    (folder / "zero.setup.json").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe-target")
    (folder / "linked-fifo.setup.json").symlink_to(folder / "pipe-target")
    (folder / "dangling.setup.json").symlink_to(folder / "nowhere")
    return {name: name for name in [*kinds, "huge", "folder", "fifo", "zero", "linked-fifo"]}


def test_every_kind_of_damaged_file_is_moved_aside_in_one_line(tmp_path: Path) -> None:
    good = SetupState(name="good.example", domains=["good.example"], org_id=ORG_ID)
    Store(tmp_path).save(good)
    damaged = _damaged_files(tmp_path)
    result = run_cli("status", "--json", state=tmp_path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert [row["name"] for row in json.loads(result.stdout)] == ["good.example"]
    notices = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    for name in [*damaged, "dangling"]:
        [line] = [line for line in notices if f"'{name}'" in line]
        assert "could not be read" in line and "moved it to" in line
        assert list(tmp_path.glob(f"{name}.setup.json.corrupt-*")), name  # never deleted
        assert not (tmp_path / f"{name}.setup.json").exists()
    assert (tmp_path / "pipe-target").exists()  # a link is moved, never what it points to
    assert "nested too deeply" in next(line for line in notices if "'nested'" in line)
    assert "FIFO" in next(line for line in notices if "'fifo'" in line)
    # And the next start is clean.
    again = run_cli("status", state=tmp_path)
    assert again.returncode == 0 and again.stderr == ""


async def test_the_wizard_starts_with_damaged_files_beside_good_ones(tmp_path: Path) -> None:
    from tests.support.wizard_app import app_at

    _damaged_files(tmp_path)
    app = app_at(None, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(10):
            await pilot.pause()
        from wizard.tui.screens.start import StartScreen

        assert isinstance(app.screen, StartScreen)
        assert [setup.name for setup in app.screen.setups] == [DOMAIN]
        messages = [str(notification.message) for notification in app._notifications]
        assert any("'nested'" in message for message in messages)
        assert all("\n" not in message for message in messages)


def test_a_damaged_history_database_is_moved_aside_and_setups_still_open(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="a.example", domains=["a.example"])
    store.save(setup)
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not a database" * 500)
    status = run_cli("status", "--json", state=tmp_path)
    assert status.returncode == 0
    assert [row["name"] for row in json.loads(status.stdout)] == ["a.example"]
    line = one_line(status.stderr)
    assert DATABASE_NAME in line and "moved it to" in line
    assert list(tmp_path.glob(f"{DATABASE_NAME}.corrupt-*"))
    # A new history starts: recording works again.
    fresh = Store(tmp_path)
    loaded = fresh.load("a.example")
    assert loaded is not None
    record(fresh, loaded, [report_of("a.example")])
    assert Store(tmp_path).load("a.example").summary.runs == 1  # type: ignore[union-attr]


# -- names are names ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../victim", "/etc/passwd", "a/b", ".hidden", "..", "x\ny"])
def test_path_like_setup_names_are_refused(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.setup.json"
    victim.write_text("{}")
    state = tmp_path / "state"
    for command in (["verify", "--setup", name], ["history", name]):
        result = run_cli(*command, state=state)
        assert result.returncode == 2, result
        assert result.stdout == ""
        line = one_line(result.stderr)
        assert "is not a setup name" in line
    assert victim.read_text() == "{}"
    assert [path.name for path in tmp_path.iterdir()] == ["victim.setup.json"]


# -- saved text is untrusted ---------------------------------------------------------------

HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J[bold]x[/bold]\u202e"


def _hostile_setup(folder: Path) -> None:
    data = SetupState(name="h.example", domains=["h.example"]).model_dump(mode="json")
    data |= {"org_id": HOSTILE, "domains": [HOSTILE], "platform": HOSTILE}
    (folder / "h.example.setup.json").write_text(json.dumps(data))
    (folder / "bad\x1b[31mname.setup.json").write_text("{")


def test_status_and_history_show_saved_escapes_literally(tmp_path: Path) -> None:
    _hostile_setup(tmp_path)
    text = run_cli("status", state=tmp_path)
    for output in (text.stdout, text.stderr):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "evil\\x1b]0;pwned\\x07" in text.stdout
    assert "bad\\x1b[31mname" in text.stderr  # the damaged file's name, escaped
    as_json = run_cli("status", "--json", state=tmp_path)
    assert "\x1b" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["org_id"] == HOSTILE  # data, escaped by JSON


async def test_the_start_screen_shows_saved_escapes_literally(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from wizard.tui.app import WizardApp

    _hostile_setup(tmp_path)
    app = WizardApp(Store(tmp_path), blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(10):
            await pilot.pause()
        option = app.screen.query_one("#saved", OptionList).get_option_at_index(0)
        shown = str(option.prompt)
        assert "evil\\x1b]0;pwned\\x07" in shown and "[bold]x[/bold]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "bad\\x1b[31mname" in messages and "\x1b" not in messages


def test_the_markdown_report_shows_saved_escapes_literally(tmp_path: Path) -> None:
    from wizard.core.setups.report_markdown import markdown_report

    _hostile_setup(tmp_path)
    state = Store(tmp_path).load("h.example")
    assert state is not None
    report = markdown_report(state)
    assert "\x1b" not in report and "\x07" not in report and "\u202e" not in report
    assert "evil\\x1b]0;pwned\\x07" in report


# -- a saved CA bundle that went away ----------------------------------------------------


@pytest.mark.parametrize("bundle", ["missing", "not-pem"])
def test_a_saved_ca_bundle_that_is_gone_or_not_pem_is_one_line(tmp_path: Path, bundle: str) -> None:
    path = tmp_path / "ca.pem"
    if bundle == "not-pem":
        path.write_text("hello")
    setup = SetupState(name=DOMAIN, domains=[DOMAIN], settings=VerifySettings(ca_bundle=str(path)))
    Store(tmp_path / "state").save(setup)
    result = run_cli("verify", "--setup", DOMAIN, state=tmp_path / "state")
    assert result.returncode == 2 and result.stdout == ""
    assert "--ca-bundle" in one_line(result.stderr)
