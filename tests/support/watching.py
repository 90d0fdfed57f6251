"""Saved setups for the monitoring tests: several in one state folder, each sending its
domains to a loopback server with the test CA (saved test settings, as an admin testing
before DNS points at the server would save them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.constants import GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, redirect
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store


def save_setup(
    folder: Path, name: str, domains: list[str], server: HTTPSServer, ca_bundle: Path
) -> SetupState:
    """A setup judged against no MDM in particular ("generic"), checked against `server`."""
    settings = VerifySettings(
        connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
    )
    state = SetupState(name=name, provider="generic", domains=domains, settings=settings)
    Store(folder).save(state)
    return state


def serve_good(server: HTTPSServer) -> None:
    """Every host on `server` serves the document as devices need it."""
    server.route(WELL_KNOWN, json_document(GOOD))


def serve_html(server: HTTPSServer, host: str, body: str = "<html>not here</html>") -> None:
    """`host` answers with an HTML page (a failure: bad_content_type)."""
    server.route(f"{host}{WELL_KNOWN}", json_document(body, "text/html"))


def serve_query_dropped(server: HTTPSServer, host: str) -> None:
    """`host` redirects to a copy of the document without the device's query: it passes,
    warning `query_not_forwarded`."""
    server.route(f"{host}{WELL_KNOWN}", redirect(f"https://{host}/discovery"))
    server.route(f"{host}/discovery", json_document(GOOD))


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]
