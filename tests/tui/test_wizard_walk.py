"""The wizard driven step by step with the keyboard (Textual's Pilot) on a temporary state
folder: a new setup from Start through the organization, prerequisites, method and platform
steps to Done, quitting and resuming where it stopped, a damaged saved file at start, and
the files the wizard imports and writes on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import RadioSet, Select

from tests.support.constants import DOMAIN, GOOD, ORG_ID, WELL_KNOWN_FILE
from tests.support.https_server import HTTPSServer
from tests.support.wizard_app import make_app, saved_setup, shown_text, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.method import MethodScreen
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.platform import PlatformScreen
from wizard.tui.screens.prerequisites import PrerequisitesScreen
from wizard.tui.screens.start import StartScreen


async def test_new_setup_quit_at_method_then_resume_there(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert isinstance(app.screen, StartScreen)
        await pilot.press("n")
        assert isinstance(app.screen, OrganizationScreen)
        await pilot.press("tab", *ORG_ID, "tab", "tab", *"ada@Example.TEST")  # past "from a key"
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PrerequisitesScreen)
        await pilot.press("space")  # tick the first manual item
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, MethodScreen)
        await pilot.press("enter", "down", "down", "enter")  # the platform list: NGINX
        await pilot.press("tab", "enter")  # Redirect
        await pilot.pause()
        await pilot.press("ctrl+q")

    [saved] = Store(tmp_path).load_all()
    assert saved.name == DOMAIN and saved.step == "method"
    assert saved.org_id == ORG_ID and saved.domains == [DOMAIN]
    assert list(saved.prerequisites) == ["managed_accounts"]
    assert saved.platform == "nginx" and saved.method == "redirect"

    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # resume the saved setup
        assert isinstance(again.screen, MethodScreen)
        assert again.screen.query_one("#platform", Select).value == "nginx"
        pressed = again.screen.query_one("#method", RadioSet).pressed_button
        assert pressed is not None and pressed.id == "redirect"
        await pilot.press("escape")
        assert isinstance(again.screen, PrerequisitesScreen)
        await pilot.press("escape")
        assert isinstance(again.screen, OrganizationScreen)
        assert ORG_ID in shown_text(again)  # the redirect target preview


async def test_invalid_org_id_keeps_the_admin_on_the_step(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n", "tab", *"ABC", "tab", "tab", *DOMAIN, "ctrl+n")
        assert isinstance(app.screen, OrganizationScreen)
        assert "24 lowercase hex" in shown_text(app)


@pytest.mark.parametrize(
    "damage",
    [b"{ this is not json", b'{"schema_version": 1, "name": "broken", "domains": [', b"\xff\xfe"],
    ids=["garbage", "truncated", "binary"],
)
async def test_damaged_state_is_moved_aside_and_the_app_starts(
    tmp_path: Path, damage: bytes
) -> None:
    (tmp_path / "broken.setup.json").write_bytes(damage)
    good = SetupState(name="kept.example", domains=["kept.example"], org_id=ORG_ID)
    Store(tmp_path).save(good)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert [s.name for s in app.screen.setups] == ["kept.example"]
        messages = [n.message for n in app._notifications]
        assert any("broken" in m and "moved it to" in m for m in messages), messages
    aside = list(tmp_path.glob("broken.setup.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damage
    assert not (tmp_path / "broken.setup.json").exists()


async def test_platform_step_copies_saves_and_switches_form(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle, step="platform")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, PlatformScreen)
        await pilot.press("c")
        assert app.clipboard.startswith("# adue-wizard: Apple account-driven enrollment")
        assert "if ($args)" in app.clipboard
        await pilot.press("e")
        await pilot.press("c")
        assert "if ($args)" not in app.clipboard and "return 301" in app.clipboard
        folder = tmp_path / "artifacts"
        field = app.screen.query_one("#folder")
        field.value = str(folder)  # type: ignore[attr-defined]
        await pilot.press("s")
        await pilot.pause()
    written = (folder / "nginx-remotemanagement.conf").read_text()
    assert written == app.clipboard
    [stored] = Store(tmp_path).load_all()
    assert stored.exact_seed is True
    assert stored.artifact_paths == [str(folder / "nginx-remotemanagement.conf")]


async def test_the_import_reads_only_a_small_regular_file(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """A folder, a FIFO (an unbounded read would wait forever) and a huge file are each
    refused with what is wrong, and the wizard stays usable."""
    import os

    setup = saved_setup(tmp_path, server, ca_bundle, step="platform")
    setup.method = "self-host"
    Store(tmp_path).save(setup)
    downloads = tmp_path.parent / f"{tmp_path.name}-odd"
    downloads.mkdir()
    os.mkfifo(downloads / "pipe.json")
    with open(downloads / "huge.json", "wb") as huge:
        huge.truncate(512 * 1024 * 1024)  # sparse: reading it whole would take 512 MiB
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        path_field = app.screen.query_one("#json-path")
        path_field.focus()
        for name, says in (
            ("", "is a directory"),
            ("pipe.json", "no such file"),  # not a regular file: never opened
            ("huge.json", "is larger than 65536 bytes"),
        ):
            path_field.value = str(downloads / name)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            assert "Not imported" in shown_text(app) and says in shown_text(app), name


async def test_jumpcloud_self_host_imports_and_validates_the_download(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    setup = saved_setup(tmp_path, server, ca_bundle, step="platform")
    setup.method = "self-host"
    Store(tmp_path).save(setup)
    downloads = tmp_path.parent / f"{tmp_path.name}-downloads"  # not the state folder
    downloads.mkdir()
    bad = downloads / "bad.json"
    bad.write_text('{"Servers": [{"Version": "mdm-adde", "BaseURL": "https://x.example"}]}')
    good = downloads / "good.json"
    good.write_text(GOOD)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        path_field = app.screen.query_one("#json-path")
        path_field.value = str(bad)  # type: ignore[attr-defined]
        path_field.focus()
        await pilot.pause()
        await pilot.press("enter")
        assert "Not imported" in shown_text(app) and "JumpCloud supports only" in shown_text(app)
        path_field.value = str(good)  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert "Imported and valid" in shown_text(app)
        screen = app.screen
        assert isinstance(screen, PlatformScreen) and screen.plan is not None
        assert [a.filename for a in screen.plan.artifacts] == [
            "nginx-remotemanagement.conf",
            WELL_KNOWN_FILE,
        ]
        assert screen.plan.artifacts[1].content == GOOD
        assert len(screen.query(".artifact")) == 2
    [stored] = Store(tmp_path).load_all()
    assert stored.document_text == GOOD and stored.imported_json == str(good)


async def test_done_exports_a_markdown_report(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle, step="done")  # saved at Done, never verified
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DoneScreen)
        assert f"Account-driven Configuration Successful for {DOMAIN}" in shown_text(app)
        report = tmp_path / "report.md"
        app.screen.query_one("#report-path").value = str(report)  # type: ignore[attr-defined]
        await pilot.press("x")
        await app.workers.wait_for_complete()  # written in a thread
    text = report.read_text()
    assert text.startswith(f"# Account-driven enrollment setup: {DOMAIN}")
    assert ORG_ID in text and "## Prerequisites" in text
