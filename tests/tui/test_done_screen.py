"""The Done step: the console's steps for every domain, no Next offered on the last step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.constants import ORG_ID
from tests.support.wizard_app import make_app, shown_text, started
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
