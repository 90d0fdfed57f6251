"""The Prerequisites step's live checks, driven with the keyboard (Textual's Pilot) on a
temporary state folder: they go where Verify goes, with every saved test setting, and say
what a custom CA leaves unchecked."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.support.constants import DOMAIN
from tests.support.https_server import HTTPSServer
from tests.support.wizard_app import make_app, saved_setup, shown_text, started
from wizard.core.setups.store import Store


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
