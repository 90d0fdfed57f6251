"""Running `adue-wizard` as a separate process, as an admin or a cron job does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.https_server import HTTPSServer


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def routed(server: HTTPSServer, ca_bundle: Path) -> list[str]:
    """The options that send every host on :443 to `server` and trust the test CA."""
    return ["--connect-to", f":443:127.0.0.1:{server.port}", "--ca-bundle", str(ca_bundle)]
