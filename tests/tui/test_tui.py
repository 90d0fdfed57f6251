"""The wizard driven with the keyboard (Textual's Pilot) on a temporary state folder."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RadioSet, Select, Static

from tests.support.constants import AT, DOMAIN, GOOD, ORG_ID, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.method import MethodScreen
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.platform import PlatformScreen
from wizard.tui.screens.prerequisites import PrerequisitesScreen
from wizard.tui.screens.start import StartScreen
from wizard.tui.screens.verify import VerifyScreen
from wizard.tui.widgets.domain_result import DomainResultView


def make_app(folder: Path) -> WizardApp:
    return WizardApp(Store(folder), blink=False, today=date(2026, 1, 2))


async def started(pilot: Any) -> None:
    """Wait until the start screen, with the saved setups listed, is shown."""
    for _ in range(50):
        if isinstance(pilot.app.screen, StartScreen):
            return
        await pilot.pause(0.02)
    raise AssertionError("the start screen never listed the saved setups")


def shown_text(app: WizardApp) -> str:
    """Everything the current screen shows in its Static widgets, as plain text."""
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


async def test_new_setup_quit_at_method_then_resume_there(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert isinstance(app.screen, StartScreen)
        await pilot.press("n")
        assert isinstance(app.screen, OrganizationScreen)
        await pilot.press("tab", *ORG_ID, "tab", *"ada@Example.TEST")
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
        await pilot.press("n", "tab", *"ABC", "tab", *DOMAIN, "ctrl+n")
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


def saved_setup(
    folder: Path, server: HTTPSServer, ca_bundle: Path, step: str = "verify"
) -> SetupState:
    setup = SetupState(
        name=DOMAIN,
        org_id=ORG_ID,
        domains=[DOMAIN],
        method="redirect",
        platform="nginx",
        step=step,  # type: ignore[arg-type]
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
        ),
    )
    Store(folder).save(setup)
    return setup


def save_as_verified(folder: Path, setup: SetupState) -> None:
    """Save `setup` with one run already recorded, so Verify opens without checking."""
    store = Store(folder)
    store.save(setup)
    record(store, setup, [], AT)


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
            ".well-known/com.apple.remotemanagement",
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
        assert "Account-driven Configuration Successful for example.test" in shown_text(app)
        report = tmp_path / "report.md"
        app.screen.query_one("#report-path").value = str(report)  # type: ignore[attr-defined]
        await pilot.press("x")
    text = report.read_text()
    assert text.startswith(f"# Account-driven enrollment setup: {DOMAIN}")
    assert ORG_ID in text and "## Prerequisites" in text


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


async def test_prerequisites_are_checked_live(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle, step="prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        https = str(app.screen.query_one("#live-https_answers", Static).render())
        certificate = str(app.screen.query_one("#live-certificate_trusted", Static).render())
        resolves = str(app.screen.query_one("#live-name_resolves", Static).render())
    assert https.startswith("OK") and DOMAIN in https
    # The test CA is trusted here, which says nothing about public trust.
    assert certificate == f"skip {DOMAIN}: not checked: a custom CA is in use"
    assert resolves.startswith("skip")  # --connect-to decides where it is


async def test_prerequisites_use_the_verifiers_transport_and_every_test_setting(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """The live checks go where Verify goes: a --connect-to target looked up through a
    --resolve rule (no DNS), with the saved User-Agent."""
    setup = saved_setup(tmp_path, server, ca_bundle, step="prerequisites")
    setup.settings.connect_to = [f"{DOMAIN}:443:node1.{DOMAIN}:{server.port}"]
    setup.settings.resolve = [f"node1.{DOMAIN}:{server.port}:127.0.0.1"]
    setup.settings.user_agent = "AdminProbe/2"
    Store(tmp_path).save(setup)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        https = str(app.screen.query_one("#live-https_answers", Static).render())
    assert https.startswith("OK") and DOMAIN in https
    [request] = server.requests
    assert request.host == DOMAIN and request.headers["user-agent"] == "AdminProbe/2"


async def test_untrusted_certificate_shows_in_prerequisites(
    tmp_path: Path, start_server: Any, ca_bundle: Path
) -> None:
    import trustme

    from tests.support.constants import TEST_NAMES
    from tests.support.verifying import server_context

    untrusted = start_server(server_context(trustme.CA().issue_cert(*TEST_NAMES)))
    saved_setup(tmp_path, untrusted, ca_bundle, step="prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        certificate = str(app.screen.query_one("#live-certificate_trusted", Static).render())
        text = shown_text(app)
    # Untrusted by the custom CA says nothing about the public roots either.
    assert certificate == f"skip {DOMAIN}: not checked: a custom CA is in use"
    assert "Checked under test settings: --connect-to" in text


async def test_expired_certificate_is_a_no_even_under_a_custom_ca(
    tmp_path: Path, start_server: Any, ca: Any, ca_bundle: Path
) -> None:
    from datetime import datetime as dt

    from tests.support.constants import TEST_NAMES
    from tests.support.verifying import server_context

    expired = ca.issue_cert(*TEST_NAMES, not_after=dt(2020, 1, 1, tzinfo=UTC))
    server = start_server(server_context(expired))
    saved_setup(tmp_path, server, ca_bundle, step="prerequisites")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        certificate = str(app.screen.query_one("#live-certificate_trusted", Static).render())
    assert certificate.startswith("NO") and "expired" in certificate


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
