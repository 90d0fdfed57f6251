"""Under NO_COLOR a placeholder cannot pass for a value: its words say it is a hint
("e.g. example.com"), and it is italic, an attribute NO_COLOR keeps. Checked on every
field that has one: each MDM's inputs, the domains, the Troubleshoot prompt, the test
settings and the JSON file to import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.support.constants import DOMAIN, ORG_ID
from tests.support.wizard_app import make_app, started
from wizard.core.providers import PRESETS
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.platform import PlatformScreen
from wizard.tui.widgets.field import as_hint


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def drawn(field: Input) -> str:
    return "".join(segment.text for segment in field.render_line(0)).strip()


async def empty_and_typed_differ(pilot: Any, field: Input) -> str:
    """What the empty field shows; asserts it differs, in text and not by colour alone,
    from the same field holding its bare example, and that the hint is italic."""
    placeholder = field.placeholder
    assert placeholder.startswith(("e.g. ", "(")), (field.id, placeholder)
    empty = drawn(field)
    assert empty == placeholder, (field.id, empty)
    hint = next(s for s in field.render_line(0) if s.text.strip())
    assert hint.style is not None and hint.style.italic, field.id
    field.value = placeholder.removeprefix("e.g. ").strip("()")  # the bare example, typed
    await pilot.pause()
    assert drawn(field) != empty, field.id
    field.value = ""
    await pilot.pause()
    return empty


def test_as_hint() -> None:
    assert as_hint("example.com") == "e.g. example.com"
    assert as_hint("e.g. example.com") == "e.g. example.com"
    assert as_hint("(24 lowercase hex characters)") == "(24 lowercase hex characters)"
    assert as_hint("") == ""


async def test_every_mdms_fields_and_the_domains(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrganizationScreen)
        seen = set()
        for name in PRESETS:
            screen.query_one(f"#{name}").value = True  # type: ignore[attr-defined]
            await pilot.pause()
            for field in screen.query(Input):
                if field.display and field.parent is not None and field.parent.display:
                    seen.add(await empty_and_typed_differ(pilot, field))
    assert "e.g. example.com, shop.example.com" in seen
    assert "(24 lowercase hex characters)" in seen  # JumpCloud's organization ID
    assert "e.g. 00000000-0000-0000-0000-000000000000" in seen  # Intune's tenant ID
    assert "e.g. https://..." in seen  # a server URL


async def test_the_troubleshoot_prompt_and_the_test_settings(tmp_path: Path) -> None:
    Store(tmp_path).save(SetupState(name=DOMAIN, org_id=ORG_ID, domains=[DOMAIN], step="done"))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("t")
        await pilot.pause()
        [prompt] = app.screen.query(Input)
        assert await empty_and_typed_differ(pilot, prompt) == "e.g. user@example.com"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # resume at Done; back to Verify, then its settings
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        shown = [
            await empty_and_typed_differ(pilot, field)
            for field in app.screen.query(Input)
            if field.placeholder
        ]
    assert shown == [
        "e.g. example.com:443:203.0.113.5:443",
        "e.g. example.com:443:192.0.2.10,2001:db8::5",
    ]


async def test_the_json_file_to_import(tmp_path: Path) -> None:
    Store(tmp_path).save(
        SetupState(
            name=DOMAIN,
            org_id=ORG_ID,
            domains=[DOMAIN],
            method="self-host",
            platform="nginx",
            step="platform",
        )
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlatformScreen)
        field = app.screen.query_one("#json-path", Input)
        assert await empty_and_typed_differ(pilot, field) == "e.g. ~/Downloads/...json"
