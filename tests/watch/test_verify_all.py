"""`adue-wizard verify --all`: every saved setup with its saved settings, checked at once,
each run recorded in its history, reported setup by setup."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, Request, response_bytes
from tests.support.watching import json_lines, save_setup, serve_good, serve_html
from wizard.core.setups.store import Store


def test_every_setup_is_checked_recorded_and_reported_setup_by_setup(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    alpha = save_setup(tmp_path, "alpha", [DOMAIN, f"www.{DOMAIN}"], server, ca_bundle)
    beta = save_setup(tmp_path, "beta", [f"shop.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", "--all", "--json", state=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert [(line["setup"], line["domain"]) for line in lines] == [
        ("alpha", DOMAIN),
        ("alpha", f"www.{DOMAIN}"),
        ("beta", f"shop.{DOMAIN}"),
    ]
    assert all(line["conditions"] for line in lines)  # each under its saved test settings
    # Each setup's saved settings are announced, as `verify --setup` does.
    announced = result.stderr.splitlines()
    assert len(announced) == 2
    assert announced[0].startswith("adue-wizard: setup 'alpha' checks under its saved test")
    assert announced[1].startswith("adue-wizard: setup 'beta' checks under its saved test")
    store = Store(tmp_path)
    [alpha_run] = store.runs(alpha, 10)
    [beta_run] = store.runs(beta, 10)
    assert [o.domain for o in alpha_run.outcomes] == [DOMAIN, f"www.{DOMAIN}"]
    assert alpha_run.ok and beta_run.ok and alpha_run.conditions


def test_one_failing_domain_fails_the_run_and_the_text_says_which_setup(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    save_setup(tmp_path, "alpha", [DOMAIN], server, ca_bundle)
    beta = save_setup(tmp_path, "beta", [f"shop.{DOMAIN}", f"www.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", "--all", state=tmp_path)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert out.index("== Setup alpha (1 domain)") < out.index(f"{DOMAIN}: PASS")
    assert out.index("== Setup beta (2 domains)") < out.index(f"shop.{DOMAIN}: FAIL")
    assert out.rstrip().splitlines()[-1] == (
        "2 setups, 3 domains: 2 passed under test settings, 1 failed"
    )
    [run] = Store(tmp_path).runs(beta, 10)
    assert not run.ok and run.failure == "bad_content_type"


def test_the_json_setup_field_names_the_setup_of_verify_setup(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    save_setup(tmp_path, "alpha", [DOMAIN], server, ca_bundle)
    save_setup(tmp_path, "beta", [DOMAIN], server, ca_bundle)
    [line] = json_lines(run_cli("verify", "--setup", "beta", "--json", state=tmp_path).stdout)
    assert line["setup"] == "beta"


def test_no_saved_setup_is_bad_usage(tmp_path: Path) -> None:
    result = run_cli("verify", "--all", state=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "no saved setups in" in one_line(result.stderr)


def test_setups_without_domains_are_skipped_and_none_left_is_bad_usage(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    save_setup(tmp_path, "draft", [], server, ca_bundle)
    result = run_cli("verify", "--all", state=tmp_path)
    assert result.returncode == 2
    assert "has no domains yet" in result.stderr and "no saved setup in" in result.stderr


def test_all_goes_with_no_domain_no_setup_and_no_report(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    save_setup(tmp_path, "alpha", [DOMAIN], server, ca_bundle)
    for extra in ([DOMAIN], ["--setup", "alpha"], ["--report", str(tmp_path / "r.md")]):
        result = run_cli("verify", "--all", *extra, state=tmp_path)
        assert result.returncode == 2, extra
        assert result.stdout == "" and "--all" in one_line(result.stderr)
    assert server.requests == []


def test_a_setup_that_cannot_be_checked_is_named_and_the_others_still_run(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    save_setup(tmp_path, "alpha", [DOMAIN], server, ca_bundle)
    # Its private CA was deleted since it was saved: it cannot be checked as saved.
    gone = tmp_path / "gone.pem"
    gone.write_bytes(ca_bundle.read_bytes())
    save_setup(tmp_path, "beta", [f"www.{DOMAIN}"], server, gone)
    gone.unlink()
    result = run_cli("verify", "--all", "--json", state=tmp_path)
    assert result.returncode == 1
    assert [line["setup"] for line in json_lines(result.stdout)] == ["alpha"]
    [trouble] = [line for line in result.stderr.splitlines() if "not checked" in line]
    assert trouble.startswith("adue-wizard: setup 'beta' not checked: ")
    assert "--ca-bundle" in trouble


def test_setups_are_checked_at_once_within_the_concurrency(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """Five one-domain setups, each answer held back a moment: the server sees several
    setups' requests in flight together, never more than --concurrency."""
    in_flight = [0, 0]  # now, most seen

    async def slow(request: Request, writer: asyncio.StreamWriter) -> None:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        await asyncio.sleep(0.4)
        in_flight[0] -= 1
        writer.write(response_bytes(200, GOOD, {"Content-Type": "application/json"}))
        await writer.drain()

    server.route(WELL_KNOWN, slow)
    for number in range(5):
        save_setup(tmp_path, f"s{number}", [f"d{number}.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", "--all", "--concurrency", "3", "--json", state=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)) == 5
    assert 2 <= in_flight[1] <= 3


def test_setups_alike_share_one_probe_of_the_mdm_server(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    """Three setups with the same test settings: three well-known requests, and one TLS
    connection to the document's enrollment server for all of them, as for one list."""
    serve_good(server)
    for number in range(3):
        save_setup(tmp_path, f"s{number}", [f"d{number}.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", "--all", "--json", state=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all(
        check["status"] == "pass"
        for line in json_lines(result.stdout)
        for check in line["checks"]
        if check["id"] == "baseurl"
    )
    assert len(server.requests) == 3
    assert server.connections == 3 + 1
