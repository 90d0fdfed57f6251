"""A setup with several domains: the generated configuration, loaded unchanged into real
nginx, Apache and Caddy with one site per domain (as the steps say, domain by domain), and
checked for every domain with the very `adue-wizard verify` command the steps suggest,
pointed at the local server with --connect-to."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.support.constants import (
    DISCOVERY,
    DOMAIN,
    GOOD,
    JUMPCLOUD,
    ORG_ID,
    WELL_KNOWN_FILE,
)
from tests.support.generating import prepared
from tests.support.https_server import HTTPSServer, json_document
from tests.support.web_servers import SERVER_NAMES, SNIPPET_FILE, Site, publish, running_hosts
from wizard.core.artifacts.model import Plan
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import generate

# All covered by the test certificate (example.test and *.example.test).
DOMAINS = [DOMAIN, f"enroll.{DOMAIN}", f"other.{DOMAIN}"]


def make_plan(platform: str, method: str) -> Plan:
    answers: dict[str, object] = {"org_id": ORG_ID}
    if method == "self-host":
        answers["document_text"] = GOOD
    setup, _ = prepared(
        method,  # type: ignore[arg-type]
        domains=DOMAINS,
        today=date(2026, 1, 2),
        **answers,  # type: ignore[arg-type]
    )
    return generate(platform, setup)


def suggested_verify(plan: Plan) -> list[str]:
    """The `adue-wizard verify ...` command of the plan's last step, as argv."""
    step = plan.steps[-1]
    command = step.split("Check it as a device would: ", 1)[1].split(";", 1)[0]
    words = shlex.split(command)
    assert words[:2] == ["adue-wizard", "verify"], step
    return words[2:]


def verify_every_domain(
    plan: Plan, port: int, stand_in: HTTPSServer, ca_bundle: Path
) -> list[dict[str, object]]:
    routes = [f"{domain}:443:127.0.0.1:{port}" for domain in DOMAINS]
    routes.append(f"{JUMPCLOUD}:443:127.0.0.1:{stand_in.port}")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wizard",
            "verify",
            *suggested_verify(plan),
            "--json",
            "--ca-bundle",
            str(ca_bundle),
            "--user",
            "ada",
            *(argument for route in routes for argument in ("--connect-to", route)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, (result.stderr, reports)
    return reports


@pytest.mark.parametrize("platform", SERVER_NAMES)
@pytest.mark.parametrize("method", ["redirect", "self-host"])
def test_one_snippet_serves_every_domain_in_a_real_server(
    platform: str, method: str, site: Site, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(f"{JUMPCLOUD}{DISCOVERY}", json_document(GOOD))
    plan = make_plan(platform, method)
    artifacts = site.folder / "artifacts"
    write_plan(plan, artifacts)
    for artifact in plan.artifacts:
        if artifact.filename.endswith(WELL_KNOWN_FILE):
            publish(site, artifact.filename, artifact.content)
    snippet = artifacts / SNIPPET_FILE[platform]
    # Each domain's own site block includes the file unchanged, one step per domain.
    for domain in DOMAINS:
        assert any(domain in step and SNIPPET_FILE[platform] in step for step in plan.steps)
    with running_hosts(platform, site, dict.fromkeys(DOMAINS, snippet)) as port:
        reports = verify_every_domain(plan, port, server, ca_bundle)
    assert [report["domain"] for report in reports] == DOMAINS
    assert all(report["ok"] for report in reports), reports
    if method == "redirect":
        # Each domain's redirect reached the MDM with that domain's user and the org ID.
        reached = [r for r in server.requests if r.host == JUMPCLOUD]
        users = {request.query["user-identifier"][0] for request in reached}
        assert users == {f"ada@{domain}" for domain in DOMAINS}
        assert all(r.query["organization_id"] == [ORG_ID] for r in reached)
    else:
        assert all(report["document"] == json.loads(GOOD) for report in reports)
