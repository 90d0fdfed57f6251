"""The Done step: the console's steps for every domain, no Next offered on the last step, and
the Markdown report written 0600 where the admin typed, which the next export proposes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.support.constants import AT, ORG_ID
from tests.support.wizard_app import make_app, settled, shown_text, started
from wizard.core.codes import CheckId, Code
from wizard.core.results import Check, DomainReport
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.done import DoneScreen
from wizard.tui.widgets.key_footer import shown_keys

DOMAINS = ["a.example.test", "b.example.test", "c.example.test"]


def save_at_done(folder: Path, provider: str = "jumpcloud", **answers: object) -> None:
    setup = SetupState(
        name="a.example.test",
        provider=provider,
        org_id=ORG_ID if provider == "jumpcloud" else None,
        domains=DOMAINS,
        method="redirect",
        step="done",
        **answers,  # type: ignore[arg-type]
    )
    Store(folder).save(setup)


@pytest.mark.parametrize(
    ("provider", "says"),
    [
        ("jumpcloud", "Enter {} in the Input domain field and click Confirm"),
        ("generic", "In your MDM, confirm the account-driven enrollment domain {}."),
    ],
)
async def test_the_console_steps_name_every_domain(
    tmp_path: Path, provider: str, says: str
) -> None:
    save_at_done(tmp_path, provider)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DoneScreen)
        text = " ".join(shown_text(app).split())
    for domain in DOMAINS:
        assert says.format(domain) in text, domain
    if provider == "jumpcloud":  # each domain's own success message, and in order
        positions = [text.index(f"Configuration Successful for {d}") for d in DOMAINS]
        assert positions == sorted(positions)
        assert "2.1. Enter a.example.test" in text and "2.3. Enter c.example.test" in text


async def test_ctrl_n_is_not_offered_on_the_last_step(tmp_path: Path) -> None:
    save_at_done(tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        offered = {binding.description for binding, _, _ in shown_keys(app.screen)}
        assert "Next" not in offered and "Back" in offered
        await pilot.press("ctrl+n")  # pressed anyway: it says why nothing happens
        await pilot.pause()
        assert isinstance(app.screen, DoneScreen)
        assert any("last step" in str(n.message) for n in app._notifications)


async def test_the_report_is_private_and_its_place_is_remembered(tmp_path: Path) -> None:
    state = tmp_path / "state"
    save_at_done(state)
    typed = tmp_path / "tickets" / "INC-42" / "adue.md"  # a folder that does not exist yet
    old_umask = os.umask(0o022)  # the usual umask: 0644 files unless written otherwise
    try:
        app = make_app(state)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await started(pilot)
            await pilot.press("enter")
            field = app.screen.query_one("#report-path", Input)
            field.value = str(typed)
            await pilot.press("x")
            await app.workers.wait_for_complete()
            await settled(pilot)
            assert any("readable by you only" in str(n.message) for n in app._notifications)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(typed.stat().st_mode) == 0o600
    assert stat.S_IMODE(typed.parent.stat().st_mode) == 0o700
    assert typed.read_text().startswith("# Account-driven enrollment setup: a.example.test")
    saved = Store(state).load("a.example.test")
    assert saved is not None and saved.report_path == str(typed)
    # The next time, in a new wizard, the export proposes the same place.
    app = make_app(state)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert app.screen.query_one("#report-path", Input).value == str(typed)


async def test_a_report_that_cannot_be_written_says_why_and_is_not_remembered(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    save_at_done(state)
    taken = tmp_path / "a-folder"
    taken.mkdir()
    app = make_app(state)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await pilot.press("enter")
        app.screen.query_one("#report-path", Input).value = str(taken)
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await settled(pilot)
        messages = [str(n.message) for n in app._notifications]
    assert any(m.startswith(f"Not exported: {taken}: ") for m in messages), messages
    saved = Store(state).load("a.example.test")
    assert saved is not None and saved.report_path is None


async def test_a_last_check_this_machine_could_not_make_is_unknown_not_a_failure(
    tmp_path: Path,
) -> None:
    """The resolver of this machine failed: Done says nothing is known, not "fix it"."""
    save_at_done(tmp_path)
    store = Store(tmp_path)
    setup = store.load("a.example.test")
    assert setup is not None
    reports = [
        DomainReport(
            domain=domain,
            checks=[
                Check(
                    CheckId.DNS,
                    "fail",
                    "no answer from this machine's resolver",
                    Code.RESOLVER_FAILED,
                )
            ],
        )
        for domain in DOMAINS
    ]
    store.record_run(setup, reports, [], AT)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await settled(pilot)
        text = " ".join(shown_text(app).split())
    assert "UNKNOWN, this machine could not resolve names" in text
    assert "fix it" not in text
