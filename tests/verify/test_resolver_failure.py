"""A check must not blame the domain for this machine's problem. `verify` resolves with
getaddrinfo, as a device does; here its process gets a resolver the test controls (a real DNS
server on loopback): a name that does not exist, or has no address, is the domain's problem
(`invalid_domain`); a look-up that could not be made (SERVFAIL, no answer, no server) is this
machine's (`resolver_failed`): UNKNOWN, never a pass, exit 1, not the domain failing in the
history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from junitparser import Error
from prometheus_client.parser import text_string_to_metric_families

from tests.support.constants import GOOD, WELL_KNOWN
from tests.support.dns_server import DNSServer, Fault
from tests.support.https_server import HTTPSServer, json_document
from tests.support.junit_report import read_junit
from tests.support.nagios_plugin import parse
from tests.support.system_resolver import (
    relayed,
    require_unshare,
    run_resolving_with,
    unused_nameserver,
)
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store

DOMAIN = "corp.example.test"  # covered by the test certificate
# Five domains under three top-level domains.
SPREAD = ["a.corp.test", "b.corp.test", "shop.example", "eu.corp.invalid", "c.test"]


@pytest.fixture
def dns_server() -> Iterator[DNSServer]:
    require_unshare()
    with DNSServer() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def nameserver(dns_server: DNSServer) -> Iterator[str]:
    with relayed(dns_server) as address:
        yield address


def verify_json(
    tmp_path: Path, nameserver: str, *domains: str
) -> tuple[int, list[dict[str, object]]]:
    result = run_resolving_with(
        tmp_path, nameserver, "verify", *domains, "--json", "--timeout", "5"
    )
    assert result.stderr == "", result.stderr
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def dns_check(report: dict[str, object]) -> dict[str, object]:
    checks = report["checks"]
    assert isinstance(checks, list)
    found: dict[str, object] = checks[0]
    assert found["id"] == "dns"
    return found


@pytest.mark.parametrize("fault", [Fault.SERVFAIL, Fault.REFUSED, Fault.DROP])
def test_a_look_up_that_could_not_be_made_is_this_machines_problem(
    tmp_path: Path, dns_server: DNSServer, nameserver: str, fault: Fault
) -> None:
    dns_server.fault(DOMAIN, fault)
    code, [report] = verify_json(tmp_path, nameserver, DOMAIN)
    assert code == 1
    assert report["ok"] is False and report["unknown"] is True
    assert report["failure"] == "resolver_failed"
    dns = dns_check(report)
    assert dns["status"] == "fail" and dns["code"] == "resolver_failed"
    assert "this machine could not look up corp.example.test" in str(dns["summary"])
    remedy = str(dns["remedy"])
    assert "nothing is known about the domain" in remedy and "/etc/resolv.conf" in remedy
    assert "--resolve" in remedy and "Create an A/AAAA" not in remedy
    assert {verdict["verdict"] for verdict in report["os_verdicts"]} == {"unknown"}  # type: ignore[attr-defined]
    assert dns_server.count(DOMAIN) >= 1  # the server was asked: the resolver is the relay


def test_no_server_at_all_is_this_machines_problem(tmp_path: Path) -> None:
    require_unshare()
    code, [report] = verify_json(tmp_path, unused_nameserver(), DOMAIN)
    assert code == 1 and report["failure"] == "resolver_failed" and report["unknown"] is True


def test_a_name_that_does_not_exist_is_the_domains_problem(
    tmp_path: Path, dns_server: DNSServer, nameserver: str
) -> None:
    dns_server.address("other.test", "192.0.2.1")  # the zone answers; corp.test is not in it
    code, [report] = verify_json(tmp_path, nameserver, DOMAIN)
    assert code == 1
    assert report["failure"] == "invalid_domain" and report["unknown"] is False
    dns = dns_check(report)
    assert "corp.example.test does not resolve" in str(dns["summary"])
    assert "Create an A/AAAA" in str(dns["remedy"])


def test_a_name_without_an_address_is_the_domains_problem(
    tmp_path: Path, dns_server: DNSServer, nameserver: str
) -> None:
    dns_server.exists(DOMAIN)  # NOERROR, no A or AAAA record
    code, [report] = verify_json(tmp_path, nameserver, DOMAIN)
    assert code == 1 and report["failure"] == "invalid_domain" and report["unknown"] is False


def test_five_domains_this_machine_could_not_look_up_are_one_line_first(
    tmp_path: Path, dns_server: DNSServer, nameserver: str
) -> None:
    for domain in SPREAD:
        dns_server.fault(domain, Fault.SERVFAIL)
    result = run_resolving_with(tmp_path, nameserver, "verify", *SPREAD, "--timeout", "5")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2:] == [
        "All 5 domains: this machine could not resolve names; nothing is known about the domains",
        "5 domains: 0 passed, 0 failed, 5 unknown",
    ]
    assert (
        sum(
            line.endswith("UNKNOWN (resolver_failed)") or "UNKNOWN (resolver_failed)  [" in line
            for line in lines
        )
        == 5
    )
    assert "FAIL (" not in result.stdout and "PASS" not in result.stdout


def test_the_history_keeps_the_run_but_not_as_the_domain_failing(
    tmp_path: Path,
    dns_server: DNSServer,
    nameserver: str,
    server: HTTPSServer,
    ca_bundle: Path,
) -> None:
    """A setup checked through a name the resolver answers, passes; then the resolver fails:
    the run is recorded, `status` says UNKNOWN, last passed stays, nothing is failing since."""
    server.route(WELL_KNOWN, json_document(GOOD))
    dns_server.address("backend.test", "127.0.0.1")
    state = tmp_path / "state"
    setup = SetupState(
        name="corp",
        domains=[DOMAIN],
        settings=VerifySettings(
            # The domain goes to backend.test, looked up through the resolver under test.
            connect_to=[
                f"{DOMAIN}:443:backend.test:{server.port}",
                f":443:127.0.0.1:{server.port}",
            ],
            ca_bundle=str(ca_bundle),
            timeout=5,
        ),
    )
    Store(state).save(setup)
    passed = run_resolving_with(tmp_path, nameserver, "verify", "--setup", "corp", state=state)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    dns_server.fault("backend.test", Fault.SERVFAIL)
    unknown = run_resolving_with(tmp_path, nameserver, "verify", "--setup", "corp", state=state)
    assert unknown.returncode == 1
    assert "UNKNOWN (resolver_failed)" in unknown.stdout
    assert "this machine could not look up backend.test" in unknown.stdout
    status = run_resolving_with(tmp_path, nameserver, "status", "--json", state=state)
    [row] = json.loads(status.stdout)
    assert row["runs"] == 2 and row["last_unknown"] is True
    assert row["failing_since"] is None and row["last_passed_at"] is not None
    history = run_resolving_with(tmp_path, nameserver, "history", "corp", state=state)
    newest, older = history.stdout.splitlines()[1:]
    assert newest.endswith(
        " UTC  UNKNOWN  this machine could not resolve names  (under test settings)"
    )
    assert older.endswith(" UTC  passed  (under test settings)")


def test_under_nagios_a_look_up_this_machine_could_not_make_is_unknown(tmp_path: Path) -> None:
    """A monitoring system must not page for the domain when this machine's resolver is
    down: UNKNOWN (3), saying why, not CRITICAL."""
    result = run_resolving_with(
        tmp_path, unused_nameserver(), "verify", DOMAIN, "--format", "nagios", "-t", "5"
    )
    assert result.returncode == 3, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("ADUE UNKNOWN - 1 of 1 domain not known")
    assert "resolver_failed" in first


def test_every_monitoring_output_says_unknown_not_failed(tmp_path: Path) -> None:
    """The whole class: `--quiet`'s line, Nagios's long output and performance data,
    Prometheus (no adue_probe_success 0 for an alert to fire on) and JUnit (an error, not a
    failure) all tell this machine's problem from the domain's."""
    require_unshare()
    metrics, junit = tmp_path / "adue.prom", tmp_path / "adue.xml"
    outputs = ["--prometheus", str(metrics), "--junit", str(junit), "-t", "5"]
    nameserver = unused_nameserver()
    quiet = run_resolving_with(tmp_path, nameserver, "verify", DOMAIN, "--quiet", *outputs)
    assert quiet.returncode == 1
    assert quiet.stdout.startswith(f"{DOMAIN}: UNKNOWN (resolver_failed): ")
    assert "FAIL" not in quiet.stdout

    families = {
        family.name: family.samples
        for family in text_string_to_metric_families(metrics.read_text())
    }
    assert families["adue_probe_success"] == []
    assert families["adue_probe_failure_info"] == []
    [unknown] = families["adue_probe_unknown_info"]
    assert unknown.labels == {"setup": "", "domain": DOMAIN, "code": "resolver_failed"}

    [suite] = read_junit(junit)
    assert (suite.failures, suite.errors) == (0, 1)
    [case] = list(suite)
    [error] = case.result
    assert isinstance(error, Error) and error.type == "resolver_failed"

    plugin = run_resolving_with(tmp_path, nameserver, "verify", DOMAIN, "--format", "nagios")
    output = parse(plugin.stdout)
    assert (output.state, plugin.returncode) == ("UNKNOWN", 3)
    assert output.long_output == [
        f"{DOMAIN}: UNKNOWN (resolver_failed): " + quiet.stdout.split(": ", 2)[2].rstrip("\n")
    ]
    perf = output.perfdata
    assert (perf["passed"].value, perf["failed"].value, perf["unknown"].value) == (0, 0, 1)
