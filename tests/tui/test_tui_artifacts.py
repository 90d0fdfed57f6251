"""The wizard's Platform step: saving goes through the same guarded writer as
`generate --out`, and a hostile saved target is refused and shown literally."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.support.https_server import HTTPSServer
from tests.support.wizard_app import make_app, saved_setup, shown_text, started
from wizard.core.setups.store import Store
from wizard.tui.screens.platform import PlatformScreen


async def test_save_refuses_a_linked_file_and_writes_nothing_outside(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle, step="platform")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "victim.conf").write_text("the admin's own file\n")
    folder = tmp_path.parent / f"{tmp_path.name}-artifacts"
    folder.mkdir()
    (folder / "nginx-remotemanagement.conf").symlink_to(outside / "victim.conf")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, PlatformScreen)
        app.screen.query_one("#folder").value = str(folder)  # type: ignore[attr-defined]
        await pilot.press("s")
        await pilot.pause()
        note = str(app.screen.query_one("#platform-note", Static).render())
    assert note.startswith("Not saved:") and "symbolic link" in note, note
    assert (outside / "victim.conf").read_text() == "the admin's own file\n"
    assert (folder / "nginx-remotemanagement.conf").is_symlink()


async def test_a_hostile_saved_target_is_refused_and_shown_literally(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    setup = saved_setup(tmp_path, server, ca_bundle, step="platform")
    setup.provider = "generic"
    setup.generic_target = 'https://mdm.example.net/";return(200);\x1b]0;owned\x07[b]x[/b]'
    Store(tmp_path).save(setup)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, PlatformScreen) and screen.plan is None
        text = shown_text(app)
    assert "Not ready: " in text and "\\x1b" in text and "[b]x[/b]" in text
    assert "\x1b" not in text and "\x07" not in text
