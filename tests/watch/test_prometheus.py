"""`verify --prometheus FILE`: the textfile collector format, read by a real node_exporter
(Debian's `prometheus-node-exporter`) over HTTP and linted by `promtool check metrics`."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.commands import one_line, routed, run_cli
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, Request, response_bytes
from tests.support.nagios_plugin import parse
from tests.support.node_exporter import Samples, node_exporter, promtool_check, scrape
from tests.support.verifying import report_of
from tests.support.watching import json_lines, save_setup, serve_good, serve_html
from wizard.core.codes import CheckId, Code
from wizard.core.results import Check
from wizard.core.watch import prometheus
from wizard.core.watch.outcome import RunOutcome, SetupOutcome

NAMES = {
    "adue_probe_success",
    "adue_probe_duration_seconds",
    "adue_probe_ssl_earliest_cert_expiry",
    "adue_address_success",
    "adue_probe_failure_info",
    "adue_last_success_timestamp_seconds",
}


@pytest.fixture
def textfile_folder() -> Iterator[Path]:
    """A folder the exporter can read when it runs as another user (pytest's own
    temporary folders are 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="adue-textfile-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def samples_named(
    samples: Samples, name: str
) -> dict[tuple[str, str], tuple[dict[str, str], float]]:
    return {
        (labels["setup"], labels["domain"]): (labels, value)
        for sample, labels, value in samples
        if sample == name
    }


def test_node_exporter_reads_every_metric_with_its_labels(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, textfile_folder: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    save_setup(tmp_path, "alpha", [DOMAIN, f"www.{DOMAIN}"], server, ca_bundle)
    save_setup(tmp_path, "beta", [f"shop.{DOMAIN}"], server, ca_bundle)
    target = textfile_folder / "adue.prom"
    before = datetime.now(UTC)
    result = run_cli("verify", "--all", "--prometheus", str(target), state=tmp_path)
    assert result.returncode == 1, result.stderr
    assert target.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in textfile_folder.iterdir()] == ["adue.prom"]  # no temp left
    with node_exporter(textfile_folder) as url:
        samples = scrape(url)
    [errors] = [value for name, _, value in samples if name == "node_textfile_scrape_error"]
    assert errors == 0
    assert {name for name, _, _ in samples} >= NAMES
    success = samples_named(samples, "adue_probe_success")
    assert {key: value for key, (_, value) in success.items()} == {
        ("alpha", DOMAIN): 1,
        ("alpha", f"www.{DOMAIN}"): 1,
        ("beta", f"shop.{DOMAIN}"): 0,
    }
    [(labels, value)] = samples_named(samples, "adue_probe_failure_info").values()
    assert labels == {
        "setup": "beta",
        "domain": f"shop.{DOMAIN}",
        "code": "bad_content_type",
        "cause": "catch_all_page",
    }
    assert value == 1
    addresses = samples_named(samples, "adue_address_success")
    assert addresses["beta", f"shop.{DOMAIN}"] == (
        {"setup": "beta", "domain": f"shop.{DOMAIN}", "address": "127.0.0.1", "family": "IPv4"},
        0,
    )
    expiry = samples_named(samples, "adue_probe_ssl_earliest_cert_expiry")
    assert expiry["alpha", DOMAIN][1] > before.timestamp() + 30 * 86400
    durations = samples_named(samples, "adue_probe_duration_seconds")
    assert all(0 < value < 10 for _, value in durations.values())
    # The failing domain never passed: no last success; the others passed just now.
    last = samples_named(samples, "adue_last_success_timestamp_seconds")
    assert set(last) == {("alpha", DOMAIN), ("alpha", f"www.{DOMAIN}")}
    assert all(
        before.timestamp() <= value <= datetime.now(UTC).timestamp() for _, value in last.values()
    )


def test_promtool_accepts_the_file(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, textfile_folder: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    save_setup(tmp_path, "alpha", [DOMAIN, f"shop.{DOMAIN}"], server, ca_bundle)
    target = textfile_folder / "adue.prom"
    run_cli("verify", "--all", "--prometheus", str(target), state=tmp_path)
    checked = promtool_check(target.read_text())
    assert checked.returncode == 0 and checked.stdout == "", checked.stdout + checked.stderr


def test_the_last_success_comes_from_the_history(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    save_setup(tmp_path, "alpha", [DOMAIN], server, ca_bundle)
    target = tmp_path / "adue.prom"
    before = datetime.now(UTC).timestamp()
    assert run_cli("verify", "--all", "--prometheus", str(target), state=tmp_path).returncode == 0
    after = datetime.now(UTC).timestamp()
    serve_html(server, DOMAIN)  # it breaks
    assert run_cli("verify", "--all", "--prometheus", str(target), state=tmp_path).returncode == 1
    samples = [
        (sample.name, sample.value)
        for family in text_string_to_metric_families(target.read_text())
        for sample in family.samples
    ]
    assert ("adue_probe_success", 0) in samples
    [last] = [value for name, value in samples if name == "adue_last_success_timestamp_seconds"]
    assert before <= last <= after


def test_an_e_mail_target_never_becomes_a_label(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    target = tmp_path / "adue.prom"
    result = run_cli(
        "verify",
        f"ada.lovelace@{DOMAIN}",
        "--user",
        "grace@example.org",
        "--prometheus",
        str(target),
        *routed(server, ca_bundle),
    )
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert "@" not in text and "ada" not in text and "grace" not in text
    assert f'adue_probe_success{{setup="",domain="{DOMAIN}"}} 1' in text


def test_label_values_are_escaped_as_the_format_says() -> None:
    report = report_of(DOMAIN, "bad_status")
    report.checks[0] = Check(CheckId.STATUS, "fail", "x", Code.BAD_STATUS, 'a"b\\c\nd')
    run = RunOutcome([SetupOutcome("alpha", [report, report_of(DOMAIN)])], datetime.now(UTC))
    text = prometheus.render(run)
    [info] = [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "adue_probe_failure_info"
    ]
    assert info.labels["cause"] == 'a"b\\c\nd'
    # The same domain twice (`verify a a`) is one series, not a duplicate the exporter refuses.
    assert text.count("adue_probe_success{") == 1


@pytest.mark.parametrize(
    ("where", "says"),
    [("missing/adue.prom", "does not exist"), (".", "is a folder")],
)
def test_a_file_that_cannot_be_written_fails_before_the_run(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, where: str, says: str
) -> None:
    serve_good(server)
    target = str(tmp_path / where)
    result = run_cli("verify", DOMAIN, "--prometheus", target, *routed(server, ca_bundle))
    assert result.returncode == 2 and result.stdout == ""
    assert says in one_line(result.stderr) and "--prometheus" in result.stderr
    assert server.requests == []


def test_the_files_never_change_what_stdout_says(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    serve_good(server)
    serve_html(server, f"shop.{DOMAIN}")
    args = ["verify", DOMAIN, f"shop.{DOMAIN}", "--json", *routed(server, ca_bundle)]
    alone = run_cli(*args)
    files = ["--prometheus", str(tmp_path / "a.prom"), "--junit", str(tmp_path / "a.xml")]
    both = run_cli(*args, *files)
    assert alone.returncode == both.returncode == 1 and both.stderr == alone.stderr

    def steady(stdout: str) -> list[dict[str, object]]:
        lines = json_lines(stdout)
        for line in lines:
            line.pop("elapsed_ms")
        return lines

    assert steady(both.stdout) == steady(alone.stdout)
    assert (tmp_path / "a.prom").exists() and (tmp_path / "a.xml").exists()


@pytest.mark.parametrize("output", ["text", "nagios"])
def test_a_file_that_fails_after_the_run_is_one_line(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path, output: str
) -> None:
    """The folder, there when the run started, is removed while the domain is checked:
    one line, exit 2 (UNKNOWN under Nagios, the results still shown)."""
    released = threading.Event()

    async def held(request: Request, writer: asyncio.StreamWriter) -> None:
        while not released.is_set():
            await asyncio.sleep(0.01)
        writer.write(response_bytes(200, GOOD, {"Content-Type": "application/json"}))
        await writer.drain()

    server.route(WELL_KNOWN, held)
    folder = tmp_path / "metrics"
    folder.mkdir()
    command = [sys.executable, "-m", "wizard", "verify", DOMAIN, "--format", output]
    command += ["--prometheus", str(folder / "adue.prom"), *routed(server, ca_bundle)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        folder.rmdir()
    finally:
        released.set()
        stdout, stderr = process.communicate(timeout=60)
    if output == "text":
        assert process.returncode == 2 and f"{DOMAIN}: PASS" in stdout
        assert one_line(stderr).startswith("adue-wizard: --prometheus ")
        assert "cannot write (No such file or directory)" in stderr
    else:
        assert process.returncode == 3 and stderr == ""
        parsed = parse(stdout)
        assert parsed.state == "UNKNOWN" and "--prometheus" in parsed.text
        assert "1 domain passed" in parsed.text
