"""A real Prometheus node_exporter (Debian's `prometheus-node-exporter`) on 127.0.0.1 with
only its textfile collector, reading a folder of the test's, scraped over HTTP; and
`promtool check metrics`. Missing binaries skip the test loudly, except under CI
(CI=true), where they fail: `make test` installs them there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.web_servers import free_port

Samples = list[tuple[str, dict[str, str], float]]


def tool(name: str, package: str) -> str:
    """The executable `name`, or skip (fail under CI) when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    message = (
        f"{name} is not installed: this test did NOT run (as root, `make test` installs "
        f"Debian's {package} with apt)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def node_exporter(textfile_folder: Path) -> Iterator[str]:
    """node_exporter with only the textfile collector, reading `textfile_folder`; yields
    its metrics URL. As root it runs as `nobody`, as the packaged service runs under a
    user of its own: a file it can read is readable by other users."""
    binary = tool("prometheus-node-exporter", "prometheus-node-exporter")
    for _attempt in range(5):
        port = free_port()
        command = [
            binary,
            f"--web.listen-address=127.0.0.1:{port}",
            "--collector.disable-defaults",
            "--collector.textfile",
            f"--collector.textfile.directory={textfile_folder}",
        ]
        user = "nobody" if os.geteuid() == 0 else None
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, user=user
        )
        url = f"http://127.0.0.1:{port}/metrics"
        try:
            if _wait_until_up(process, url):
                yield url
                return
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
            if process.poll() is None:
                process.kill()
                process.wait()
    raise AssertionError("node_exporter did not start on a free port")


def _wait_until_up(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False  # the port was taken meanwhile: try another
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):
            return True
        time.sleep(0.05)
    raise AssertionError("node_exporter did not answer within 10 s")


def scrape(url: str) -> Samples:
    """Every sample the exporter serves, parsed by the Prometheus client's own parser."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode("utf-8")
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    """`promtool check metrics` of `text` (its lint of names, HELP, TYPE and units)."""
    binary = tool("promtool", "prometheus")
    return subprocess.run(
        [binary, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
