"""The wizard walked once per MDM preset, from the Organization step to Verify: the preset's
own inputs are typed and checked, the later steps follow the preset, and the domain (a
local server playing it) passes against that preset."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from textual.widgets import Input, RadioSet, Select, Static

from tests.support.constants import DOMAIN, ORG_ID, TENANT, WELL_KNOWN
from tests.support.https_server import Handler, HTTPSServer, Request, json_document, response_bytes
from tests.support.wizard_app import make_app, shown_text, started
from wizard.core.providers import NAMES
from wizard.core.setups.state import VerifySettings
from wizard.core.setups.store import Store
from wizard.tui.screens.method import MethodScreen
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.platform import PlatformScreen
from wizard.tui.screens.prerequisites import PrerequisitesScreen
from wizard.tui.screens.verify import VerifyScreen

CLUSTER = f"cluster.{DOMAIN}"  # covered by the test certificate's *.example.test
MANAGEENGINE = json.dumps(
    {
        "Servers": [
            {
                "Version": "mdm-byod",
                "BaseURL": "https://mdm.manageengine.com/mdm/client/v1/enroll"
                "?templateToken=a1b2&encapiKey=c3d4",
            }
        ]
    }
)


def document(base_url: str) -> str:
    return json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]})


@dataclass(frozen=True)
class Walk:
    mdm: str
    field: str | None  # the preset's input, typed on the Organization step
    value: str
    served: str  # the document the domain (or Ivanti's cluster) serves
    prerequisite: str  # a text the Prerequisites step shows for this MDM only
    methods: tuple[str, ...]
    imported: str | None = None  # a JSON file imported on the Platform step


WALKS = [
    Walk(
        "jumpcloud",
        "#org-id",
        ORG_ID,
        document("https://mdm.jumpcloud.com/enroll/abc"),
        "linked to JumpCloud users",
        ("redirect", "self-host"),
        imported=document("https://mdm.jumpcloud.com/enroll/abc"),
    ),
    Walk(
        "intune",
        "#tenant-id",
        TENANT,
        document(
            "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
            f"?aadTenantId={TENANT}"
        ),
        "Intune enrollment profile",
        ("self-host",),
    ),
    Walk(
        "jamf",
        "#server-url",
        "https://acme.jamfcloud.com",
        document("https://acme.jamfcloud.com/servicediscoveryenrollment/v1/userenroll"),
        "Account-driven enrollment is turned on in Jamf Pro",
        ("self-host",),
    ),
    Walk(
        "fleet",
        "#server-url",
        "https://fleet.acme.test",
        document("https://fleet.acme.test/api/mdm/apple/account_driven_enroll"),
        "Apple MDM is turned on in Fleet",
        ("self-host",),
    ),
    Walk(
        "manageengine",
        None,
        "",
        MANAGEENGINE,
        "downloaded from the console",
        ("self-host",),
        imported=MANAGEENGINE,
    ),
    Walk(
        "ivanti",
        "#server-url",
        f"https://{CLUSTER}",
        document(f"https://{CLUSTER}/c/i/reg/userenroll.mobileconfig"),
        "User Enrollment is the Apple enrollment type",
        ("redirect",),
    ),
    Walk(
        "generic",
        "#base-url",
        "https://mdm.acme.test/enroll",
        document("https://mdm.acme.test/enroll"),
        "Managed Apple Accounts exist",
        ("redirect", "self-host"),
    ),
]


def forwarding(target: str) -> Handler:
    """A redirect that carries the device's query, as the generated rules do."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        query = urlsplit(request.target).query
        writer.write(response_bytes(301, b"", {"Location": f"{target}?{query}"}))
        await writer.drain()

    return handler


def visible_text(app: Any) -> str:
    """What the screen shows: Static widgets whose every container is displayed."""
    shown = [
        widget
        for widget in app.screen.query(Static)
        if all(getattr(node, "display", True) for node in widget.ancestors_with_self)
    ]
    return "\n".join(str(widget.render()) for widget in shown)


async def type_into(pilot: Any, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.press(*text)


def test_every_preset_is_walked() -> None:
    assert [walk.mdm for walk in WALKS] == list(NAMES)


@pytest.mark.parametrize("walk", WALKS, ids=lambda walk: walk.mdm)
async def test_wizard_walk_per_preset(
    walk: Walk, tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    if walk.mdm == "ivanti":
        server.route(f"{DOMAIN}{WELL_KNOWN}", forwarding(f"https://{CLUSTER}{WELL_KNOWN}"))
        server.route(f"{CLUSTER}{WELL_KNOWN}", json_document(walk.served))
    else:
        server.route(f"{DOMAIN}{WELL_KNOWN}", json_document(walk.served))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, OrganizationScreen)
        await pilot.press(*["down"] * NAMES.index(walk.mdm), "enter")
        await pilot.pause()
        pressed = app.screen.query_one("#provider", RadioSet).pressed_button
        assert pressed is not None and pressed.id == walk.mdm
        text = visible_text(app)
        if walk.mdm != "jumpcloud":  # JumpCloud-only texts only for JumpCloud
            assert "organization ID" not in text
        if walk.field is not None:
            await type_into(pilot, walk.field, walk.value[:-3])
            if walk.field != "#base-url":
                await pilot.press("ctrl+n")  # not complete yet: refused, and said why
                assert isinstance(app.screen, OrganizationScreen)
            await pilot.press(*walk.value[-3:])
            await pilot.pause()
            if walk.field != "#base-url":
                assert "OK." in shown_text(app)
        await type_into(pilot, "#domains", DOMAIN)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PrerequisitesScreen)
        assert walk.prerequisite in shown_text(app)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, MethodScreen)
        offered = [button.id for button in app.screen.query("#method RadioButton")]
        assert tuple(offered) == walk.methods
        app.screen.query_one("#platform", Select).value = "nginx"
        if len(walk.methods) > 1:
            app.screen.query_one("#method", RadioSet).focus()
            method = "self-host" if walk.imported else "redirect"
            if walk.mdm == "generic":
                method = "self-host"
            await pilot.press(*["down"] * walk.methods.index(method), "enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PlatformScreen)
        if walk.imported is not None:
            downloaded = tmp_path / "downloaded.json"
            downloaded.write_text(walk.imported)
            await type_into(pilot, "#json-path", str(downloaded))
            await pilot.press("enter")
            await pilot.pause()
        assert app.screen.plan is not None, shown_text(app)
        app.screen.setup.settings = VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
        )
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        text = shown_text(app)
        assert f"{DOMAIN}  PASS" in text, text
    [saved] = Store(tmp_path).load_all()
    assert saved.provider == walk.mdm
    assert saved.summary_row()["mdm"] == walk.mdm
    assert saved.last_results[0].mdm == (None if walk.mdm == "generic" else walk.mdm)
