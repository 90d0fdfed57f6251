"""JumpCloud's side in the wizard, against its stand-in over HTTPS: "Connect to JumpCloud" on
the Prerequisites step replaces the ticks it covers with live results, the Organization step
takes the organization ID from a key, the Platform step takes JumpCloud's JSON, and the
Verify step judges against JumpCloud's configuration. The key is never saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from tests.support.constants import (
    AT,
    DOMAIN,
    JUMPCLOUD,
    JUMPCLOUD_DISCOVERY,
    ORG_ID,
    OTHER_ORG,
    WELL_KNOWN,
)
from tests.support.https_server import HTTPSServer, json_document
from tests.support.jumpcloud_api import (
    AdueConfig,
    ApiKey,
    JumpCloudStandIn,
    JumpCloudState,
    StartStandIn,
    make_users,
)
from tests.support.wizard_app import make_app, saved_setup, shown_text, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.jumpcloud_connect import JumpCloudConnect

KEY = "wizard-test-key-0123456789"
BASE_URL = f"https://{JUMPCLOUD}/mdm/enroll/abc"


def document(base_url: str) -> str:
    return json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]})


@pytest.fixture
def standin(
    plain_environment: None, start_standin: StartStandIn, trusted: Path
) -> JumpCloudStandIn:
    users = make_users(30, ORG_ID, domain=DOMAIN, apple_id_domain=DOMAIN)
    users += make_users(4, ORG_ID, start=100, domain=DOMAIN)  # not linked yet
    adue = AdueConfig(redirect_url=JUMPCLOUD_DISCOVERY, json_config=document(BASE_URL))
    return start_standin(JumpCloudState.single(users, key=KEY, org_id=ORG_ID, adue=adue))


def save_setup(
    folder: Path,
    server: HTTPSServer,
    ca_bundle: Path,
    standin: JumpCloudStandIn,
    step: str,
    **changes: object,
) -> None:
    setup = saved_setup(folder, server, ca_bundle, step=step)  # type: ignore[arg-type]
    setup.jumpcloud_api_url = standin.base_url
    for name, value in changes.items():
        setattr(setup, name, value)
    Store(folder).save(setup)


async def connect(pilot: object, key: str = KEY) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    assert isinstance(app.screen, JumpCloudConnect)
    app.screen.query_one("#api-key", Input).value = key
    await pilot.press("enter")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def no_key_in(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


async def test_connecting_replaces_the_ticks_with_live_results(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    save_setup(tmp_path, server, ca_bundle, standin, "prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.click("#connect-jumpcloud")
        await pilot.pause()
        await connect(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        linked = str(screen.query_one("#live-accounts_linked", Static).render())
        personal = str(screen.query_one("#live-personal_enrollment", Static).render())
        lines = str(screen.query_one("#jumpcloud-lines", Static).render())
        tick_shown = screen.query_one("#tick-accounts_linked").display
    assert linked.startswith("WARN") and "30 of 34 active users" in linked
    assert "4 without one" in linked
    assert personal.startswith("OK")
    assert "API key" in lines and "ADUE configuration" in lines and ORG_ID in lines
    assert tick_shown is False
    assert app.jumpcloud is not None
    no_key_in(tmp_path)


async def test_a_refused_key_says_so_and_the_dialog_stays(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    save_setup(tmp_path, server, ca_bundle, standin, "prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.click("#connect-jumpcloud")
        await pilot.pause()
        await connect(pilot, key="not-the-key-000000")
        problem = str(app.screen.query_one("#connect-problem", Static).render())
        still_asking = isinstance(app.screen, JumpCloudConnect)
    assert still_asking and "401" in problem
    assert app.jumpcloud is None


async def test_the_organization_id_is_taken_from_an_msp_key(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    other = JumpCloudState.single(2, org_id=OTHER_ORG, name="Other Org").organizations[0]
    standin.state.organizations.append(other)
    standin.state.api_keys = {KEY: ApiKey([ORG_ID, OTHER_ORG])}
    save_setup(tmp_path, server, ca_bundle, standin, "organization", org_id=None)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#org-from-key")
        await pilot.pause()
        await connect(pilot)
        listing = app.screen.query_one("#organizations", OptionList)
        assert listing.option_count == 2
        listing.highlighted = [listing.get_option_at_index(i).id for i in range(2)].index(OTHER_ORG)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        field = app.screen.query_one("#org-id", Input).value
        await app.writes_done()
    assert field == OTHER_ORG
    saved = Store(tmp_path).load(DOMAIN)
    assert saved is not None and saved.org_id == OTHER_ORG
    no_key_in(tmp_path)


async def test_the_platform_step_takes_jumpclouds_json(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    save_setup(
        tmp_path, server, ca_bundle, standin, "platform", method="self-host", platform="nginx"
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#from-jumpcloud")
        await pilot.pause()
        await connect(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = shown_text(app)
        await app.writes_done()
    assert "Taken from JumpCloud's configuration" in text
    saved = Store(tmp_path).load(DOMAIN)
    assert saved is not None and saved.document_text == document(BASE_URL)
    no_key_in(tmp_path)


async def test_verify_judges_against_jumpclouds_configuration_once_connected(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    server.route(
        WELL_KNOWN,
        json_document(document(f"https://{JUMPCLOUD}/old")),
    )
    save_setup(tmp_path, server, ca_bundle, standin, "prerequisites", method="self-host")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.click("#connect-jumpcloud")
        await pilot.pause()
        await connect(pilot)
        await app.workers.wait_for_complete()
        app.setup.step = "verify"  # type: ignore[union-attr]
        app.show_step("verify")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        [report] = [r for r in app.screen.results.values() if r is not None]  # type: ignore[attr-defined]
    assert report.failure == "bad_config"
    config = next(check for check in report.checks if check.id == "config")
    assert f"JumpCloud's configuration says BaseURL {BASE_URL}" in config.summary


def test_snapshot_of_jumpclouds_side_at_80x24(
    snap_compare: Any, tmp_path: Path, standin: JumpCloudStandIn
) -> None:
    """The Prerequisites step once connected: the JumpCloud block with each check, at 80x24."""
    Store(tmp_path).save(
        SetupState(
            name=DOMAIN,
            org_id=ORG_ID,
            domains=[DOMAIN],
            step="prerequisites",
            jumpcloud_api_url=standin.base_url,
            created_at=AT,
            updated_at=AT,
        )
    )

    async def connected(pilot: Any) -> None:
        await started(pilot)
        await pilot.press("enter")
        await pilot.click("#connect-jumpcloud")
        await pilot.pause()
        await connect(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.app.writes_done()
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=connected)


async def test_link_accounts_from_prerequisites_then_checked_again(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, standin: JumpCloudStandIn
) -> None:
    """Some users are not linked: "Link accounts" appears, plans from their e-mails, writes
    after a confirmation, and the Prerequisites step shows every user linked on return."""
    from wizard.tui.screens.link_accounts import ConfirmWrite, LinkAccountsScreen

    save_setup(tmp_path, server, ca_bundle, standin, "prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.click("#connect-jumpcloud")
        await pilot.pause()
        await connect(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#link-accounts").display is True
        await pilot.click("#link-accounts")
        await pilot.pause()
        assert isinstance(app.screen, LinkAccountsScreen)
        await pilot.click("#link-from-emails")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.click("#link-apply")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmWrite)
        await pilot.click("#confirm-write")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        linked = str(app.screen.query_one("#live-accounts_linked", Static).render())
        link_shown = app.screen.query_one("#link-accounts").display
    assert len(standin.writes) == 4  # the four users without an account, nobody else
    assert linked.startswith("OK") and "34 of 34 active users" in linked
    assert link_shown is False
    no_key_in(tmp_path)
