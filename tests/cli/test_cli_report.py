"""The text report of `verify` for many domains: the checks not reached fold into one line
(as the wizard shows them), the verdicts of OS ranges that agree share one, and when every
domain failed alike the summary says so first."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.commands import run_cli
from tests.support.constants import GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.web_servers import free_port

# Five domains under three top-level domains (four registered domains).
SPREAD = ["a.example.test", "b.example.test", "shop.example", "eu.corp.invalid", "c.test"]


def test_five_failures_alike_fold_and_are_summed_up_first() -> None:
    result = run_cli(
        "verify", *SPREAD, "--connect-to", f":443:127.0.0.1:{free_port()}", env={"NO_COLOR": "1"}
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    skips = [line for line in lines if line.strip().startswith("SKIP")]
    # Per domain: the rule that routed it, then one line for the eight checks not reached.
    assert len(skips) == 2 * len(SPREAD)
    assert (
        "    SKIP  Redirects, HTTP status, Content-Type, Body, JSON document, Version and "
        "BaseURL, The MDM's server, Enrollment endpoint: not reached: an earlier check failed"
    ) in lines
    assert "    18.2-26.x and 27+: FAIL: the well-known URL fails (connect_failed), " in "\n".join(
        lines
    )
    assert lines[-2:] == [
        "All 5 domains: connect_failed (no HTTPS connection); the problem is probably on this side",
        "5 domains: 0 passed under test settings, 5 failed",
    ]
    assert len(lines) <= 15 * len(SPREAD)


def test_failures_of_one_registered_domain_are_not_blamed_on_this_side(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    """Two names of one site failing alike: said first, but the site is the likely cause."""
    server.route(WELL_KNOWN, json_document(GOOD, "text/plain"))
    domains = ["a.example.test", "b.example.test"]
    routes = ["--connect-to", f":443:127.0.0.1:{server.port}", "--ca-bundle", str(ca_bundle)]
    result = run_cli("verify", *domains, *routes, env={"NO_COLOR": "1"})
    assert result.returncode == 1
    first, counts = result.stdout.splitlines()[-2:]
    assert first.startswith("All 2 domains: bad_content_type (")
    assert "this side" not in first
    assert counts == "2 domains: 0 passed under test settings, 2 failed"


def test_different_failures_have_no_headline(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(f"good.example.test{WELL_KNOWN}", json_document(GOOD))
    domains = ["good.example.test", "bad.example.test"]
    routes = ["--connect-to", f":443:127.0.0.1:{server.port}", "--ca-bundle", str(ca_bundle)]
    result = run_cli("verify", *domains, *routes, env={"NO_COLOR": "1"})
    assert result.stdout.splitlines()[-1] == "2 domains: 1 passed under test settings, 1 failed"
    assert "All 2 domains" not in result.stdout


def test_comma_separated_domains_are_two_domains_as_in_the_wizard() -> None:
    port = free_port()
    result = run_cli(
        "verify",
        "a.example.test,ada@b.example.test",
        "--json",
        "--connect-to",
        f":443:127.0.0.1:{port}",
    )
    assert result.returncode == 1
    assert [json.loads(line)["domain"] for line in result.stdout.splitlines()] == [
        "a.example.test",
        "b.example.test",
    ]
