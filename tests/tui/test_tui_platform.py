"""The wizard's Platform step with several domains: every file can be copied, the heading
says what the artifact does, saving again asks before replacing different files, and
letter keys type letters in text fields."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from tests.support.constants import ORG_ID, WELL_KNOWN_FILE
from tests.support.wizard_app import started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp
from wizard.tui.screens.platform import PlatformScreen
from wizard.tui.screens.replace_dialog import ReplaceFilesDialog

DOMAINS = ["example.test", "redir.example.test"]
DOCUMENT = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example/e"}]})


def setup_at_platform(folder: Path, platform: str, **answers: Any) -> SetupState:
    answers.setdefault("method", "redirect")
    setup = SetupState(
        name="example.test",
        org_id=ORG_ID,
        domains=DOMAINS,
        platform=platform,
        step="platform",
        **answers,
    )
    Store(folder).save(setup)
    return setup


async def open_platform(pilot: Any) -> PlatformScreen:
    await started(pilot)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PlatformScreen) and screen.plan is not None
    return screen


def note(app: WizardApp) -> str:
    return str(app.screen.query_one("#platform-note", Static).render())


def heading(app: WizardApp) -> str:
    return str(app.screen.query_one("#plan-title", Static).render())


COPY_TARGETS = [
    ("apache", "redirect", {}, ["apache-remotemanagement.conf", ".htaccess"]),
    ("cloudflare", "redirect", {}, ["cloudflare-redirect-rules.json", "cloudflare-api.sh"]),
    (
        "nginx",
        "self-host",
        {"document_text": DOCUMENT, "imported_json": "/downloads/jc.json"},
        ["nginx-remotemanagement.conf", WELL_KNOWN_FILE],
    ),
    (
        "netlify",
        "self-host",
        {"document_text": DOCUMENT, "imported_json": "/downloads/jc.json"},
        ["_headers", WELL_KNOWN_FILE],
    ),
]


@pytest.mark.parametrize(
    ("platform", "method", "answers", "files"),
    COPY_TARGETS,
    ids=[f"{p}-{m}" for p, m, _, _ in COPY_TARGETS],
)
async def test_every_file_can_be_copied_with_f_and_c_and_its_own_button(
    tmp_path: Path, platform: str, method: str, answers: dict[str, Any], files: list[str]
) -> None:
    setup_at_platform(tmp_path, platform, method=method, **answers)
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_platform(pilot)
        assert screen.plan is not None
        contents = {a.filename: a.content for a in screen.plan.artifacts}
        assert list(contents) == files
        screen.query_one("#save", Button).focus()  # letter keys act off text fields
        copied = []
        for _ in files:  # c copies the marked file; f marks the next one
            await pilot.press("c")
            copied.append(app.clipboard)
            sent = note(app)
            assert "to your terminal's clipboard (OSC 52)" in sent and "Copied" not in sent
            assert "`set -g set-clipboard on`" in sent and "save the files with s" in sent
            await pilot.press("f")
        assert copied == list(contents.values())
        # Each file's own Copy button, in reverse order.
        buttons = list(screen.query(".copy-file").results(Button))
        assert len(buttons) == len(files)
        for button, name in reversed(list(zip(buttons, files, strict=True))):
            button.press()
            await pilot.pause()
            assert app.clipboard == contents[name]
            assert note(app).startswith(f"Sent {name} to your terminal's clipboard (OSC 52).")
        # Said under the steps, never in a notification over them.
        assert list(app._notifications) == []


async def test_both_domains_reach_the_artifacts_and_the_steps(tmp_path: Path) -> None:
    setup_at_platform(tmp_path, "cloudflare")
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_platform(pilot)
        assert screen.plan is not None
        rules = json.loads(screen.plan.artifacts[0].content)["rules"]
        steps = str(screen.query_one("#steps", Static).render())
    for rule in rules:
        assert 'http.host in {"example.test" "redir.example.test"}' in rule["expression"]
    assert "adue-wizard verify example.test redir.example.test" in steps


async def test_c_types_a_c_in_a_text_field(tmp_path: Path) -> None:
    setup_at_platform(tmp_path, "nginx")
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_platform(pilot)
        field = screen.query_one("#folder", Input)
        field.focus()
        field.value = ""
        await pilot.press("/", "c", "f", "s", "e")
        assert field.value == "/cfse"
        assert app.clipboard == ""  # nothing was copied
        assert note(app) == ""


@pytest.mark.parametrize(
    ("platform", "method", "says", "switchable"),
    [
        ("nginx", "redirect", "forwards the device's query (e: the vendor's form)", True),
        ("shopify", "redirect", "cannot forward the device's query", False),
        ("squarespace", "redirect", "cannot forward the device's query", False),
        ("netlify", "redirect", "unconfirmed", False),
        ("vercel", "redirect", "unconfirmed", False),
        ("nginx", "self-host", "serves the discovery document itself", False),
        ("github-pages", "redirect", "cannot serve the discovery document", False),
    ],
)
async def test_the_heading_says_what_the_artifact_does(
    tmp_path: Path, platform: str, method: str, says: str, switchable: bool
) -> None:
    answers = {"document_text": DOCUMENT} if method == "self-host" else {}
    setup_at_platform(tmp_path, platform, method=method, **answers)
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_platform(pilot)
        text = heading(app)
        assert says in text, text
        assert ("forwards the device's query" in text) is (platform == "nginx" and switchable)
        assert ("e:" in text) is switchable
        assert screen.check_action("exact_seed", ()) is switchable
        if switchable:
            await pilot.press("e")
            assert "the vendor's form, which drops the device's query (e: forward it)" in heading(
                app
            )


async def test_saving_again_asks_before_replacing_different_files(tmp_path: Path) -> None:
    state_folder = tmp_path / "state"
    out = tmp_path / "out"
    setup_at_platform(state_folder, "apache", artifact_dir=str(out))
    first = WizardApp(Store(state_folder), blink=False, today=date(2026, 1, 2))
    async with first.run_test(size=(80, 24)) as pilot:
        await open_platform(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert note(first).startswith("Saved 2 file(s)")
    original = (out / ".htaccess").read_text()

    # Another day, the same answers: only the date differs, so nothing is asked or written.
    later = WizardApp(Store(state_folder), blink=False, today=date(2026, 2, 3))
    async with later.run_test(size=(80, 24)) as pilot:
        await open_platform(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(later.screen, ReplaceFilesDialog)
        assert "2 already there, unchanged" in note(later)
    assert (out / ".htaccess").read_text() == original

    # A real change (one domain fewer): asked; Cancel keeps the files, Another folder
    # moves to the folder field, Replace writes.
    [stored] = Store(state_folder).load_all()
    stored.domains = ["example.test"]
    Store(state_folder).save(stored)
    changed = WizardApp(Store(state_folder), blink=False, today=date(2026, 2, 3))
    async with changed.run_test(size=(80, 24)) as pilot:
        screen = await open_platform(pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = changed.screen
        assert isinstance(dialog, ReplaceFilesDialog)
        assert [p.name for p in dialog.paths] == ["apache-remotemanagement.conf", ".htaccess"]
        shown = [str(line.render()) for line in dialog.query(Static)]
        assert "  apache-remotemanagement.conf" in shown and "  .htaccess" in shown
        assert "--force" not in "\n".join(shown)
        await pilot.press("escape")
        await pilot.pause()
        assert changed.screen is screen and "left as they are" in note(changed)
        assert (out / ".htaccess").read_text() == original

        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # the focused choice: another folder
        await pilot.pause()
        assert changed.screen is screen
        assert changed.focused is screen.query_one("#folder", Input)
        assert "another folder" in note(changed)
        screen.query_one("#folder", Input).value = str(tmp_path / "elsewhere")
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "elsewhere" / ".htaccess").is_file()
        assert (out / ".htaccess").read_text() == original

        screen.query_one("#folder", Input).value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(changed.screen, ReplaceFilesDialog)
        changed.screen.query_one("#replace", Button).press()
        await pilot.pause()
        assert note(changed).startswith("Saved 2 file(s)")
    replaced = (out / ".htaccess").read_text()
    assert "redir.example.test" in original and "redir.example.test" not in replaced


def test_snapshot_several_domains_and_files(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apache for two domains at 80x24, the second file marked (f) and copied (c)."""
    monkeypatch.setenv("HOME", "/home/admin")
    setup_at_platform(tmp_path, "apache")
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))

    async def copy_the_second_file(pilot: Any) -> None:
        await open_platform(pilot)
        pilot.app.screen.query_one("#save", Button).focus(scroll_visible=False)
        await pilot.press("f", "c")
        for _ in range(3):  # the heading grows, the note appears, then the scroll settles
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=copy_the_second_file)


async def test_keys_typed_off_a_text_field_say_what_they_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The focus is on the platform list, not a text field: `s` saves and says where, `e`
    switches form and says so (and that the files saved hold the other one), and a
    character no key takes is not dropped without a word."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    setup_at_platform(tmp_path / "state", "nginx")
    app = WizardApp(Store(tmp_path / "state"), blink=False, today=date(2026, 1, 2))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_platform(pilot)
        assert not isinstance(app.focused, Input)
        await pilot.press("s")
        await pilot.pause()
        folder = tmp_path / "home" / "adue-wizard" / "example.test"
        assert note(app) == f"Saved 1 file(s) in {folder}."
        saved = (folder / "nginx-remotemanagement.conf").read_text()
        await pilot.press("e")
        await pilot.pause()
        assert note(app) == (
            "Switched: now the vendor's form, which drops the device's query; e switches "
            f"back. The files saved in {folder} hold the other form: s saves this one."
        )
        assert screen.plan is not None and screen.plan.artifacts[0].content != saved
        await pilot.press("slash")
        await pilot.pause()
        assert note(app).startswith("Not typed: no text field has the focus (Tab moves")
        assert "s save, e vendor's form" in note(app)
        await pilot.press("e")
        await pilot.pause()
        assert note(app).startswith("Switched: now forwards the device's query; e switches")
        # In a text field, the same letters are typed and nothing is switched or saved.
        field = screen.query_one("#folder", Input)
        field.focus()
        field.value = ""
        await pilot.press("e", "s", "slash")
        assert field.value == "es/"
        assert note(app).startswith("Switched: now forwards")


def test_snapshot_after_a_stray_e(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NGINX at 80x24 after `e` typed with the platform list focused: the note says the
    form changed, under the steps."""
    monkeypatch.setenv("HOME", "/home/admin")
    setup_at_platform(tmp_path, "nginx")
    app = WizardApp(Store(tmp_path), blink=False, today=date(2026, 1, 2))

    async def press_e(pilot: Any) -> None:
        await open_platform(pilot)
        await pilot.press("e")
        for _ in range(2):
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=press_e)
