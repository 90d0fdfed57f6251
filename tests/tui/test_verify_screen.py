"""The Verify screen driven with the keyboard (Textual's Pilot) on a temporary state folder:
a check that passes or fails (with the remedy), server text shown literally, the running
phase, troubleshooting a domain without a setup, quitting mid-check, the verification
settings dialog, and Done saying that a pass was under test settings."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from tests.support.constants import AT, DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import report_of
from tests.support.wizard_app import (
    make_app,
    record,
    save_as_verified,
    saved_setup,
    shown_text,
    started,
)
from wizard.core.setups.store import Store
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.verify import VerifyScreen
from wizard.tui.widgets.domain_result import DomainResultView


async def verification_text(
    folder: Path, server: HTTPSServer, ca_bundle: Path, *, rerun: bool = False
) -> str:
    """Resume a saved setup at Verify, let the automatic run finish (and, with `rerun`, press
    `r` for a second one); return what the screen showed after the first run."""
    saved_setup(folder, server, ca_bundle)
    app = make_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        text = shown_text(app)
        if rerun:
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
    return text


async def test_verification_that_passes(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    text = await verification_text(tmp_path, server, ca_bundle)
    assert f"{DOMAIN}  PASS" in text
    assert "PASS  Content-Type: application/json" in text
    # Made under --connect-to and a private CA: said so, never "every domain passed".
    assert "every domain passed" not in text
    assert "passed under test settings" in text
    assert (
        f"Checked under test settings: --connect-to :443:127.0.0.1:{server.port}; "
        f"--ca-bundle {ca_bundle}; a device on the internet may see something else"
    ) in text
    [stored] = Store(tmp_path).load_all()
    assert stored.last_failure is None and stored.last_verified_at is not None
    assert stored.summary.runs == 1 and stored.summary.last_ok


async def test_verification_that_fails_shows_the_remedy(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD, "text/html"))
    text = await verification_text(tmp_path, server, ca_bundle, rerun=True)  # r: one key
    assert "FAIL (bad_content_type)" in text
    # The document is there, labelled text/html: the type is what to fix, and the fix is
    # quoted for the platform the setup names (NGINX; the test server sends no Server).
    assert "Cause: mime_not_set." in text
    assert "`default_type application/json;`" in text
    assert "unexpected content type was returned" in text  # the portal's message
    [stored] = Store(tmp_path).load_all()
    assert stored.last_failure == "bad_content_type"
    assert stored.summary.runs == 2


async def test_server_text_is_shown_literally(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    hostile = "https://mdm.example.test/[bold red]x[/]\x1b[2J"
    document = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": hostile}]})
    server.route(WELL_KNOWN, json_document(document, "text/[i]html"))
    text = await verification_text(tmp_path, server, ca_bundle)
    assert "text/[i]html" in text
    assert "[bold red]x[/]\\x1b[2J" in text
    assert "\x1b" not in text


async def test_troubleshoot_goes_straight_to_verification(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("t", *"oncall@nothing-here.invalid", "enter")
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(DomainResultView)
        assert view.result is not None and view.result.failure == "invalid_domain"
        await pilot.pause()
        assert not list(tmp_path.glob("*.setup.json"))  # nothing saved unless asked
        await pilot.press("ctrl+s")  # keep it as a setup
        await pilot.pause()
    [stored] = Store(tmp_path).load_all()
    assert stored.domains == ["nothing-here.invalid"] and stored.step == "verify"


async def test_troubleshoot_ignores_saved_test_settings_and_saves_nothing(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = saved_setup(tmp_path, server, ca_bundle)  # --connect-to and a private CA saved
    store = Store(tmp_path)
    record(store, setup, [], AT)
    before = (tmp_path / f"{DOMAIN}.setup.json").read_bytes()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("t", *f"ada@{DOMAIN}", "enter")
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(DomainResultView)
        # As a device on the internet: example.test does not resolve (the saved
        # --connect-to to the local server is not used).
        assert view.result is not None and view.result.failure == "invalid_domain"
        assert server.requests == []
        await pilot.press("ctrl+s")  # not offered: the domain belongs to a saved setup
        await pilot.pause()
        await pilot.press("escape")
        await started(pilot)
    assert (tmp_path / f"{DOMAIN}.setup.json").read_bytes() == before
    assert Store(tmp_path).history.summary(DOMAIN).runs == 1  # the check was not recorded


async def test_quitting_mid_check_is_immediate(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    import asyncio
    import time

    async def stall(request: object, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, stall)
    setup = saved_setup(tmp_path, server, ca_bundle)
    setup.settings.timeout = 30
    Store(tmp_path).save(setup)
    app = make_app(tmp_path)
    began = time.monotonic()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert any(worker.is_running for worker in app.workers)
        await pilot.press("ctrl+q")
    assert time.monotonic() - began < 10


async def test_verification_settings_dialog_saves_and_validates(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = saved_setup(tmp_path, server, ca_bundle)
    save_as_verified(tmp_path, setup)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter", "o")
        dialog = app.screen
        dialog.query_one("#timeout").value = "abc"  # type: ignore[attr-defined]
        await pilot.press("enter")  # Enter in any field saves
        assert "Timeout must be a number" in shown_text(app)
        dialog.query_one("#timeout").value = "4"  # type: ignore[attr-defined]
        dialog.query_one("#model_family").value = "iphone, ipad"  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None
    assert stored.settings.timeout == 4 and stored.settings.model_family == "iPhone,iPad"
    assert [r.query["model-family"] for r in server.requests] == [["iPhone"], ["iPad"]]
    assert stored.last_failure is None


async def test_the_settings_dialog_keeps_and_edits_resolve_and_user_agent(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """Every saved setting has a field, so Save never drops one (a saved --resolve and
    User-Agent had no field and were lost at Save)."""
    server.route(WELL_KNOWN, json_document(GOOD))
    setup = saved_setup(tmp_path, server, ca_bundle)
    node = f"node1.{DOMAIN}"  # a name only the --resolve rule knows
    setup.settings.connect_to = [f":443:{node}:{server.port}"]
    setup.settings.resolve = [f"{node}:{server.port}:127.0.0.1"]
    setup.settings.user_agent = "Probe/2.0 (test)"
    save_as_verified(tmp_path, setup)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter", "o")
        dialog = app.screen
        assert dialog.query_one("#resolve").value == setup.settings.resolve[0]  # type: ignore[attr-defined]
        assert dialog.query_one("#user_agent").value == "Probe/2.0 (test)"  # type: ignore[attr-defined]
        await pilot.press("enter")  # saved as shown
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        kept = Store(tmp_path).load(DOMAIN)
        assert kept is not None
        assert kept.settings.resolve == setup.settings.resolve
        assert kept.settings.user_agent == "Probe/2.0 (test)"
        assert kept.last_failure is None  # reached through the rule, with that User-Agent
        assert server.requests[-1].headers["user-agent"] == "Probe/2.0 (test)"

        await pilot.press("o")
        edited = app.screen
        edited.query_one("#resolve").value = "node1.example.test:443"  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert "is not HOST:PORT:ADDR" in shown_text(app)
        edited.query_one("#resolve").value = (  # type: ignore[attr-defined]
            f"{node}:{server.port}:127.0.0.1,::1  other.{DOMAIN}:443:192.0.2.10"
        )
        edited.query_one("#user_agent").value = "bad\x1b[31m"  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert "User-Agent must be printable" in shown_text(app)
        edited.query_one("#user_agent").value = ""  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
    stored = Store(tmp_path).load(DOMAIN)
    assert stored is not None
    assert stored.settings.resolve == [
        f"{node}:{server.port}:127.0.0.1,::1",
        f"other.{DOMAIN}:443:192.0.2.10",
    ]
    assert stored.settings.user_agent is None  # empty: the device's own


async def test_done_says_a_pass_was_under_test_settings(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    setup = saved_setup(tmp_path, server, ca_bundle, step="done")
    store = Store(tmp_path)
    conditions = [f"--connect-to :443:127.0.0.1:{server.port}", f"--ca-bundle {ca_bundle}"]
    store.record_run(setup, [report_of(DOMAIN)], conditions, AT)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DoneScreen)
        text = shown_text(app)
    assert "every domain passed" not in text
    assert "passed under test settings" in text
    assert f"Checked under test settings: --connect-to :443:127.0.0.1:{server.port}" in text


async def test_verify_shows_the_running_phase(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    import asyncio

    from tests.support.https_server import Request

    async def never_answer(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, never_answer)
    saved_setup(tmp_path, server, ca_bundle)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        status = ""
        for _ in range(100):
            await pilot.pause(0.02)
            status = str(app.screen.query_one("#verify-status", Static).render())
            if "waiting" in status:
                break
        assert status == (
            f"Checking as an iPhone would... {DOMAIN}: waiting for the response from {DOMAIN}"
        )
