"""Generated artifacts loaded unchanged into real nginx, Apache and Caddy, then checked with
the project's own verifier, JumpCloud's endpoint played by a local stand-in."""

from __future__ import annotations

import asyncio
import http.client
import json
import ssl
from datetime import date
from pathlib import Path

import pytest

from tests.support.constants import (
    BASE_URL,
    DISCOVERY,
    DOMAIN,
    GOOD,
    JUMPCLOUD,
    ORG_ID,
    WELL_KNOWN,
    WELL_KNOWN_FILE,
)
from tests.support.generating import prepared
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import options_with
from tests.support.web_servers import SERVER_NAMES, SNIPPET_FILE, Site, publish, running
from wizard.core.artifacts.model import Plan
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import generate
from wizard.core.providers.jumpcloud import discovery_target as jumpcloud_target
from wizard.core.results import DomainReport
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.verifier import verify_domains


@pytest.fixture
def stand_in(server: HTTPSServer) -> HTTPSServer:
    """apple.mdm.jumpcloud.com, played locally: answers the discovery request."""
    server.route(f"{JUMPCLOUD}{DISCOVERY}", json_document(GOOD))
    return server


def make_plan(platform: str, method: str, **answers: object) -> Plan:
    setup, _ = prepared(method, domains=[DOMAIN], today=date(2026, 1, 2), **answers)  # type: ignore[arg-type]
    return generate(platform, setup)


def install(plan: Plan, site: Site, platform: str) -> Path:
    """Write the plan's files; the document into the site's root, the snippet beside it."""
    artifacts = site.folder / "artifacts"
    write_plan(plan, artifacts)
    for artifact in plan.artifacts:
        if artifact.filename.endswith(WELL_KNOWN_FILE):
            publish(site, artifact.filename, artifact.content)
    return artifacts / SNIPPET_FILE[platform]


def check(
    port: int, stand_in: HTTPSServer | None, ca_bundle: Path, **options: object
) -> DomainReport:
    rules = [ConnectTo(DOMAIN, 443, "127.0.0.1", port)]
    if stand_in is not None:
        rules.append(ConnectTo(JUMPCLOUD, 443, "127.0.0.1", stand_in.port))
    settings = options_with(
        {"connect_to": tuple(rules), "ca_bundle": str(ca_bundle), "timeout": 5.0}, **options
    )
    [report] = asyncio.run(verify_domains([DOMAIN], settings))
    return report


def statuses(report: DomainReport) -> dict[str, tuple[str, str | None]]:
    return {c.id: (c.status, c.code) for c in report.checks}


def location_without_query(port: int, ca_bundle: Path) -> str | None:
    """GET the well-known URL with no query at all, as a bare client would; return Location."""
    context = ssl.create_default_context(cafile=str(ca_bundle))
    sock = context.wrap_socket(
        __import__("socket").create_connection(("127.0.0.1", port)), server_hostname=DOMAIN
    )
    connection = http.client.HTTPSConnection(DOMAIN, port, context=context)
    connection.sock = sock
    connection.request("GET", WELL_KNOWN, headers={"Host": DOMAIN})
    response = connection.getresponse()
    location = response.getheader("Location")
    connection.close()
    return location


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_redirect_forwards_the_device_query_to_jumpcloud(
    platform: str, site: Site, stand_in: HTTPSServer, ca_bundle: Path
) -> None:
    snippet = install(make_plan(platform, "redirect", org_id=ORG_ID), site, platform)
    with running(platform, site, snippet) as port:
        report = check(port, stand_in, ca_bundle, org_id=ORG_ID, user="ada")
        bare_location = location_without_query(port, ca_bundle)
    assert report.ok, report.to_json()
    assert statuses(report)["redirects"] == ("pass", None)
    reached = stand_in.requests[-1]
    assert reached.host == JUMPCLOUD
    assert reached.query["organization_id"] == [ORG_ID]
    assert reached.query["user-identifier"] == [f"ada@{DOMAIN}"]
    assert reached.query["model-family"] == ["iPhone"]
    # A request without a query gets the target exactly: no dangling `&`, no second `?`.
    assert bare_location == jumpcloud_target(ORG_ID)


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_exact_seed_redirect_passes_but_warns_that_the_query_is_lost(
    platform: str, site: Site, stand_in: HTTPSServer, ca_bundle: Path
) -> None:
    plan = make_plan(platform, "redirect", org_id=ORG_ID, exact_seed=True)
    snippet = install(plan, site, platform)
    with running(platform, site, snippet) as port:
        report = check(port, stand_in, ca_bundle, org_id=ORG_ID)
    assert report.ok, report.to_json()
    assert statuses(report)["redirects"] == ("warn", "query_not_forwarded")
    assert stand_in.requests[-1].query["organization_id"] == [ORG_ID]


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_generic_redirect_target_without_query(
    platform: str, site: Site, stand_in: HTTPSServer, ca_bundle: Path
) -> None:
    target = f"https://{JUMPCLOUD}{DISCOVERY}"
    snippet = install(make_plan(platform, "redirect", target=target), site, platform)
    with running(platform, site, snippet) as port:
        report = check(port, stand_in, ca_bundle)
        bare_location = location_without_query(port, ca_bundle)
    assert report.ok, report.to_json()
    assert statuses(report)["redirects"] == ("pass", None)
    assert stand_in.requests[-1].query["model-family"] == ["iPhone"]
    assert bare_location == target


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_self_hosted_document_is_served_as_json(
    platform: str, site: Site, ca_bundle: Path, tmp_path: Path
) -> None:
    downloaded = tmp_path / "jumpcloud.json"
    downloaded.write_text(GOOD)
    plan = make_plan(platform, "self-host", org_id=ORG_ID, document_text=downloaded.read_text())
    snippet = install(plan, site, platform)
    with running(platform, site, snippet) as port:
        report = check(port, None, ca_bundle, org_id=ORG_ID)
    assert report.ok, report.to_json()
    assert report.document == json.loads(GOOD)
    assert statuses(report)["content_type"] == ("pass", None)


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_without_the_mime_line_the_same_server_fails(
    platform: str, site: Site, ca_bundle: Path
) -> None:
    publish(site, WELL_KNOWN_FILE, GOOD)
    with running(platform, site, None) as port:
        report = check(port, None, ca_bundle)
    assert report.failure == "bad_content_type", report.to_json()
    assert report.document == json.loads(GOOD)


@pytest.mark.parametrize("method", ["redirect", "self-host"])
def test_apache_htaccess_variant(
    method: str, site: Site, stand_in: HTTPSServer, ca_bundle: Path
) -> None:
    if method == "redirect":
        plan = make_plan("apache", method, org_id=ORG_ID)
        folder = ""
    else:
        plan = make_plan("apache", method, base_url=BASE_URL)
        folder = ".well-known/"
        publish(site, WELL_KNOWN_FILE, plan.artifacts[-1].content)
    [htaccess] = [a for a in plan.artifacts if a.filename.endswith(".htaccess")]
    assert htaccess.filename == f"{folder}.htaccess"  # where its step puts it
    publish(site, f"{folder}.htaccess", htaccess.content)
    with running("apache", site, None) as port:
        report = check(port, stand_in, ca_bundle)
    assert report.ok, report.to_json()
    if method == "redirect":
        assert stand_in.requests[-1].query["user-identifier"] == [f"probe@{DOMAIN}"]
