"""Does recording a run cost more when the history is long?

Prints, in one run against the same local HTTPS server:
- the whole-process time of `adue-wizard verify --setup NAME` (which checks the setup's
  domain and records the run) with an empty history, and with 100,000 runs of history
  already in the database (target: ratio <= 1.1);
- the size of the history database per 1,000 runs.
The long history is written straight into the database through the store (one transaction
per run would take minutes), with realistic checks in each row.

Usage: python benchmarks/history_speed.py [--repeat N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.https_server import HTTPSServer, json_document  # noqa: E402
from wizard.core.results import DomainReport  # noqa: E402
from wizard.core.setups.database import DATABASE_NAME  # noqa: E402
from wizard.core.setups.history import RunHistory, _checks_json  # noqa: E402
from wizard.core.setups.state import SetupState, VerifySettings  # noqa: E402
from wizard.core.setups.store import Store  # noqa: E402

DOCUMENT = '{"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/enroll"}]}'
PATH = "/.well-known/com.apple.remotemanagement"
DOMAIN = "example.test"


def fill_history(folder: Path, runs: int, results: list[DomainReport]) -> None:
    """`runs` runs of the last `runs` minutes (inside the 90-day window: none is pruned)."""
    history = RunHistory(folder)
    history.record(DOMAIN, results, [], datetime.now(UTC))  # creates the schema
    db = history.database._connect(create=True)
    start = datetime.now(UTC) - timedelta(minutes=runs + 1)
    db.execute("BEGIN")
    for number in range(runs):
        at = (start + timedelta(minutes=number)).isoformat(timespec="microseconds")
        cursor = db.execute(
            "INSERT INTO runs (setup, at, ok, conditions) VALUES (?, ?, 1, '[]')", (DOMAIN, at)
        )
        db.execute(
            "INSERT INTO results (run_id, position, domain, ok, failure, checks) "
            "VALUES (?, 0, ?, 1, NULL, ?)",
            (cursor.lastrowid, DOMAIN, _checks_json(results[0])),
        )
    db.execute("COMMIT")
    history.close()


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {command}\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()

    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # The BaseURL's host too: `verify` connects to the MDM's server (the `baseurl` check).
    ca.issue_cert(DOMAIN, "mdm.example.test").configure_cert(context)
    server = HTTPSServer(context).start()
    server.route(PATH, json_document(DOCUMENT))
    wizard = str(Path(sys.executable).with_name("adue-wizard"))
    with tempfile.TemporaryDirectory() as temporary:
        bundle = Path(temporary) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        settings = VerifySettings(connect_to=[f"::127.0.0.1:{server.port}"], ca_bundle=str(bundle))
        folders = {}
        for label in ("empty", "long"):
            folder = Path(temporary) / label
            Store(folder).save(SetupState(name=DOMAIN, domains=[DOMAIN], settings=settings))
            folders[label] = folder
        # One real run gives the checks a real row carries.
        sample = Path(temporary) / "sample"
        Store(sample).save(SetupState(name=DOMAIN, domains=[DOMAIN], settings=settings))
        env = {**os.environ, "ADUE_WIZARD_STATE_DIR": str(sample)}
        output = subprocess.run(
            [wizard, "verify", "--setup", DOMAIN, "--json"], capture_output=True, text=True, env=env
        ).stdout
        results = [DomainReport.from_json(json.loads(output))]
        fill_history(folders["long"], args.runs, results)
        size = (folders["long"] / DATABASE_NAME).stat().st_size

        times: dict[str, list[float]] = {"empty": [], "long": []}
        for round_number in range(args.repeat):
            # Interleaved, and in alternating order (ABBA), so machine noise and whatever
            # the first of a pair pays hit both sides alike.
            order = list(folders.items())
            for label, folder in order if round_number % 2 == 0 else reversed(order):
                env = {**os.environ, "ADUE_WIZARD_STATE_DIR": str(folder)}
                times[label].append(timed([wizard, "verify", "--setup", DOMAIN], env))
    server.stop()
    empty, long = (statistics.median(times[label]) for label in ("empty", "long"))
    print(
        f"verify --setup recording a run: empty history {empty * 1000:.0f} ms, "
        f"{args.runs:,} runs {long * 1000:.0f} ms, ratio {long / empty:.2f} (target <= 1.1)"
    )
    print(f"history database: {size / args.runs * 1000 / 1024:.0f} KiB per 1,000 runs")


if __name__ == "__main__":
    main()
