"""`verify --quiet`, for cron (which mails whatever a job prints): nothing at all when every
domain passed without warnings, else one line per failing or warning domain that names the
test settings it was checked under."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.commands import one_line, routed, run_cli
from tests.support.constants import DOMAIN
from tests.support.https_server import HTTPSServer
from tests.support.watching import save_setup, serve_good, serve_html, serve_query_dropped


@pytest.mark.parametrize("how", [["--all"], ["--setup", "alpha"], []])
def test_all_clean_prints_nothing_at_all(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, how: list[str]
) -> None:
    """Not even the saved-settings announcement (plain `verify` with one saved setup
    included)."""
    serve_good(server)
    save_setup(tmp_path, "alpha", [DOMAIN, f"www.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", *how, "--quiet", state=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_clean_domains_given_with_test_settings_print_nothing(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    result = run_cli("verify", DOMAIN, "--quiet", *routed(server, ca_bundle))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_one_line_per_failing_or_warning_domain_naming_the_test_settings(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    serve_query_dropped(server, f"eu.{DOMAIN}")
    save_setup(tmp_path, "alpha", [DOMAIN, f"eu.{DOMAIN}"], server, ca_bundle)
    save_setup(tmp_path, "beta", [f"shop.{DOMAIN}", f"www.{DOMAIN}"], server, ca_bundle)
    result = run_cli("verify", "--all", "--quiet", state=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    settings = f"(under test settings: --connect-to :443:127.0.0.1:{server.port}; --ca-bundle "
    warned, failed = result.stdout.splitlines()
    assert warned.startswith(f"[alpha] eu.{DOMAIN}: WARN (query_not_forwarded): ")
    assert failed.startswith(f"[beta] shop.{DOMAIN}: FAIL (bad_content_type): served as ")
    assert settings in warned and settings in failed


def test_a_failure_without_test_settings_names_none() -> None:
    # Offline: the domain does not resolve, so this one fails, without test settings.
    result = run_cli("verify", "nothing-here.invalid", "--quiet")
    assert result.returncode == 1 and result.stderr == ""
    [line] = result.stdout.splitlines()
    assert line.startswith("nothing-here.invalid: FAIL (invalid_domain): ")
    assert "test settings" not in line


def test_a_warning_alone_exits_zero_with_its_line(server: HTTPSServer, ca_bundle: Path) -> None:
    serve_query_dropped(server, DOMAIN)
    result = run_cli("verify", DOMAIN, "--quiet", *routed(server, ca_bundle))
    assert result.returncode == 0 and result.stderr == ""
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{DOMAIN}: WARN (query_not_forwarded): ")


@pytest.mark.parametrize("other", [["--json"], ["--format", "json"], ["--format", "nagios"]])
def test_quiet_goes_with_the_text_output_only(other: list[str]) -> None:
    result = run_cli("verify", DOMAIN, "--quiet", *other)
    if "nagios" in other:
        assert result.returncode == 3 and "--quiet" in result.stdout
    else:
        assert result.returncode == 2 and "--quiet" in one_line(result.stderr)
