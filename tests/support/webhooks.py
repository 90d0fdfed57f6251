"""A webhook receiver on loopback, answering as Slack's incoming webhooks do, and the
addresses of webhooks that refuse or never answer.

Slack's "Sending messages using incoming webhooks" documents the answers: `200` with the
body `ok` (text/html) for a message taken, and errors such as `400 invalid_payload`,
`403 action_prohibited` or `404 no_service`. Mattermost and Rocket.Chat answer 200 too.
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

from tests.support.constants import DOMAIN
from tests.support.https_server import Handler, HTTPSServer, Request, respond
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store

# The path of a webhook is its secret (Slack's: /services/T.../B.../<token>).
SECRET = "services/T0001/B0002/Zq9vSecretTokenForTests"


def slack_ok() -> Handler:
    return respond(200, "ok", {"Content-Type": "text/html"})


def never_answers() -> Handler:
    """Reads the request, then holds the connection open without a word."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    return handler


def webhook_on(server: HTTPSServer, handler: Handler | None = None, path: str = SECRET) -> str:
    """Serve a webhook at /`path` on `server` (answering as Slack does unless `handler` is
    given); returns its URL."""
    server.route(f"/{path}", handler or slack_ok())
    scheme = "http" if server.ssl_context is None else "https"
    return f"{scheme}://127.0.0.1:{server.port}/{path}"


def messages(server: HTTPSServer, path: str = SECRET) -> list[dict[str, Any]]:
    """The JSON bodies POSTed to the webhook at /`path`, in the order they came."""
    return [
        json.loads(request.body)
        for request in server.requests
        if request.method == "POST" and request.path == f"/{path}"
    ]


def refusing_url(path: str = SECRET) -> str:
    """A URL on a loopback port nothing listens on: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{path}"


def watched_setup(folder: Path, server: HTTPSServer, ca_bundle: Path, *domains: str) -> str:
    """Save a setup of `domains` (DOMAIN alone by default) checked against `server`, as an
    admin would before a timer runs `verify --setup`; returns its name."""
    setup = SetupState(
        name=DOMAIN,
        domains=list(domains or [DOMAIN]),
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
        ),
    )
    Store(folder).save(setup)
    return setup.name
