"""A run made in the wizard is a recorded run like any other: a change of state it sees is
posted to the setup's saved webhooks (once: a timer's run at the same time would not)."""

from __future__ import annotations

from pathlib import Path

from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.webhooks import messages, refusing_url, webhook_on
from tests.support.wizard_app import make_app, saved_setup, started
from wizard.core.setups.webhooks import SavedWebhooks
from wizard.tui.screens.verify import VerifyScreen


async def test_a_change_seen_in_the_wizard_is_posted_and_a_failed_post_is_said(
    tmp_path: Path, server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path
) -> None:
    saved_setup(tmp_path, server, ca_bundle)
    SavedWebhooks(tmp_path).add(DOMAIN, webhook_on(relay))
    SavedWebhooks(tmp_path).add(DOMAIN, refusing_url())
    server.route(WELL_KNOWN, json_document(GOOD))
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, VerifyScreen)
        for document in (json_document(GOOD), respond(404, "gone"), respond(404, "gone")):
            server.route(WELL_KNOWN, document)
            if app.screen.results.get(DOMAIN) is not None:  # the first run starts by itself
                await pilot.press("r")
            await app.workers.wait_for_complete()
            await app.writes_done()
            await app.workers.wait_for_complete()
        said = [str(n.message) for n in app._notifications]
    [message] = messages(relay)
    assert (message["from"], message["to"], message["failure"]) == ("pass", "fail", "bad_status")
    assert len([line for line in said if "not delivered: could not connect" in line]) == 1
    assert all("services/" not in line for line in said)
